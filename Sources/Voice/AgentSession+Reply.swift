import Agents
import Providers

extension AgentSession {
    /// How one LLM generation ended.
    struct Generation {
        var text: String
        var interrupted: Bool
        var handoff: ToolLoop.Handoff?
    }

    /// Answers one user turn: the agent's hooks, the tool loop, speech, handoffs, metrics.
    /// Returns the reply as kept in the chat context (cut to what was heard after a barge-in).
    func reply(to userText: String, turn: TurnMetrics?) async -> String {
        var metrics = turn ?? TurnMetrics()
        let turnEnded = ContinuousClock.now
        setState(.thinking)
        let speaker = agent
        let text = await speaker.sttNode(transcript: userText, session: self) ?? userText
        emit(.userTranscript(text, isFinal: true))
        let message = ChatMessage.user(text)
        var context = chatContext
        do {
            try await speaker.onUserTurnCompleted(chatContext: &context, message: message)
        } catch is AgentStopResponse {
            context.append(message)
            updateContext(context)
            setState(.listening)
            return ""
        } catch {
            logger.warning("onUserTurnCompleted failed; answering anyway", metadata: ["error": "\(error)"])
        }
        context.append(message)
        updateContext(context)

        var replies: [String] = []
        var handoffs = 0
        while !Task.isCancelled {
            let current = agent
            let llm = await current.llmNode(chatContext: chatContext, session: self) ?? sessionLLM
            let generation = await generate(llm: llm, agent: current, metrics: &metrics, turnEnded: turnEnded)
            if !generation.text.isEmpty { replies.append(generation.text) }
            guard !generation.interrupted, let handoff = generation.handoff, handoffs < 3 else { break }
            handoffs += 1
            await current.onExit(session: self)
            replaceAgent(with: handoff.agent)
            saidDuringEnter = false
            await handoff.agent.onEnter(session: self)
            // A new agent that greeted has answered; one that did not answers the turn itself.
            if saidDuringEnter { break }
        }
        if let chain = sessionLLM.chain {
            metrics.llmProvider = await chain.servingProvider
        }
        recordMetrics(metrics)
        setState(.listening)
        return replies.joined(separator: " ")
    }

    /// One run of the tool loop with its speech. Cancellation (barge-in) ends it early, keeping in
    /// the chat context only what was heard.
    private func generate(llm: any LLM, agent current: any VoiceAgent, metrics: inout TurnMetrics,
                          turnEnded: ContinuousClock.Instant) async -> Generation {
        let request = chatContext.request(tools: current.tools)
        let toolContext = ToolContext(agentName: current.name, messages: chatContext.messages, logger: logger,
                                      session: self)
        let loop = options.toolLoop
        let tools = current.tools
        let probe = ReplyProbe()
        let progress = SpeechProgress(sampleRate: options.outputSampleRate)
        let (speech, speechSink) = AsyncStream<SpeechInput>.makeStream()
        activeChunkSink = speechSink
        let events = eventSink
        let rewrite = ttsRewrite(for: current)
        let llmStarted = ContinuousClock.now
        var outcome: ToolLoop.Outcome?
        var failure: (any Error)?
        await withTaskGroup(of: Result<ToolLoop.Outcome, any Error>?.self) { group in
            group.addTask {
                defer { speechSink.finish() }
                do {
                    return .success(try await loop.run(
                        llm: llm, request: request, tools: tools, context: toolContext,
                        onText: { delta in
                            probe.mark(\.firstText)
                            speechSink.yield(.delta(delta))
                            events.yield(.agentTextDelta(delta))
                        },
                        onInvocation: { invocation in
                            events.yield(.toolCalled(name: invocation.call.name, arguments: invocation.call.arguments,
                                                     result: invocation.result, failed: invocation.failed))
                        }))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                await self.speak(speech, voice: current.preferences.voice, progress: progress, probe: probe,
                                 rewrite: rewrite)
                return nil
            }
            for await result in group {
                switch result {
                case .success(let value): outcome = value
                case .failure(let error): failure = error
                case nil: break
                }
            }
        }
        activeChunkSink = nil
        fill(&metrics, from: probe.snapshot, llmStarted: llmStarted, turnEnded: turnEnded)

        let heard = progress.snapshot
        if Task.isCancelled {
            let spoken = tts == nil ? (outcome?.text ?? "") : heard.heardText
            if !spoken.isEmpty { appendToContext([.assistant(spoken)]) }
            emit(.interrupted(spoken: spoken))
            emit(.replyFinished(text: spoken, interrupted: true))
            return Generation(text: spoken, interrupted: true, handoff: nil)
        }
        guard let outcome else {
            logger.error("The reply failed; apologizing", metadata: ["error": "\(failure.map { "\($0)" } ?? "unknown")"])
            emit(.error(VoiceError(.replyFailed, "reply failed: \(failure.map { "\($0)" } ?? "unknown")",
                                   underlying: failure)))
            await say(options.apology)
            return Generation(text: options.apology, interrupted: false, handoff: nil)
        }
        appendToContext(outcome.newMessages)
        emit(.replyFinished(text: outcome.text, interrupted: false))
        return Generation(text: outcome.text, interrupted: false, handoff: outcome.handoff)
    }

    private func fill(_ metrics: inout TurnMetrics, from marks: ReplyProbe.Marks, llmStarted: ContinuousClock.Instant,
                      turnEnded: ContinuousClock.Instant) {
        if metrics.llmTimeToFirstToken == nil, let first = marks.firstText { metrics.llmTimeToFirstToken = first - llmStarted }
        if metrics.ttsTimeToFirstByte == nil, let sent = marks.firstTextToTTS, let audio = marks.firstTTSAudio {
            metrics.ttsTimeToFirstByte = audio - sent
        }
        if metrics.turnEndToFirstAudio == nil, let played = marks.firstPlayed { metrics.turnEndToFirstAudio = played - turnEnded }
    }
}
