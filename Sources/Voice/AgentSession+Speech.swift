import Agents
import Audio
import Providers

/// Text on its way to TTS: streamed deltas (chunked into clauses) or a whole line from `say`.
enum SpeechInput: Sendable {
    case delta(String)
    case whole(String)
}

extension AgentSession {
    /// Renders `input` with the TTS chain and plays it out on `audioOutput`, recording in `progress`
    /// what was rendered and played. Returns when everything was played or the task is cancelled.
    /// `rewrite` is the agent's `ttsNode`: pronunciations, no markdown.
    nonisolated func speak(_ input: AsyncStream<SpeechInput>, voice: String?, progress: SpeechProgress,
                           probe: ReplyProbe, rewrite: @escaping @Sendable (String) async -> String = { $0 }) async {
        guard let tts else {
            // Text-only session: "speaking" is showing the text.
            for await item in input {
                switch item {
                case .delta: break
                case .whole(let text): eventSink.yield(.agentSpeaking(text))
                }
            }
            return
        }
        let rate = options.outputSampleRate
        let (frames, frameSink) = AsyncStream<(chunk: Int, audio: AudioFrame?)>.makeStream()
        let logger = self.logger
        await turnstile.enter()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { frameSink.finish() }
                func render(_ text: String) async {
                    // The context keeps the words as written; TTS gets the agent's rewrite.
                    let index = progress.withLock { $0.addChunk(text) }
                    let spoken = await rewrite(text)
                    probe.mark(\.firstTextToTTS)
                    do {
                        let request = TTSRequest(text: spoken, voice: voice, outputSampleRate: rate)
                        for try await event in tts.stream(request) {
                            guard case .event(.audio(_, let audio)) = event, !audio.samples.isEmpty else { continue }
                            probe.mark(\.firstTTSAudio)
                            progress.withLock { $0.rendered(audio.samples.count / max(1, audio.channels), chunk: index) }
                            frameSink.yield((index, audio.frame))
                        }
                    } catch {
                        if !Task.isCancelled { logger.warning("text to speech failed for a clause", metadata: ["error": "\(error)"]) }
                    }
                    progress.withLock { $0.finishedRendering(chunk: index) }
                    frameSink.yield((index, nil))
                }
                var chunker = SentenceChunker()
                for await item in input {
                    if Task.isCancelled { return }
                    switch item {
                    case .delta(let delta):
                        for chunk in chunker.append(delta) { await render(chunk) }
                    case .whole(let text):
                        if let rest = chunker.finish() { await render(rest) }
                        await render(text)
                    }
                }
                if let rest = chunker.finish(), !Task.isCancelled { await render(rest) }
            }
            group.addTask {
                await self.playOut(frames, progress: progress, probe: probe)
            }
        }
        await turnstile.leave()
    }

    /// Cuts rendered audio into fixed frames and hands them to `audioOutput`, paced as configured.
    /// Each clause's last frame is padded with silence, so every frame belongs to one clause.
    private nonisolated func playOut(_ frames: AsyncStream<(chunk: Int, audio: AudioFrame?)>, progress: SpeechProgress,
                                     probe: ReplyProbe) async {
        let rate = options.outputSampleRate
        let frameSamples = rate * options.frameMilliseconds / 1000
        var pacer = Pacer(frame: .milliseconds(options.frameMilliseconds), realTime: options.pacing == .realTime)
        var pending: [Int16] = []
        var startedSpeaking = false
        for await (chunk, audio) in frames {
            if let audio { pending += audio.mixedToMono().samples }
            if audio == nil, pending.count % frameSamples != 0 {
                pending += [Int16](repeating: 0, count: frameSamples - pending.count % frameSamples)
            }
            while pending.count >= frameSamples {
                guard await pacer.wait() else { return }
                let frame = AudioFrame(samples: Array(pending.prefix(frameSamples)), sampleRate: rate)
                pending.removeFirst(frameSamples)
                audioSink.yield(frame)
                probe.mark(\.firstPlayed)
                if !startedSpeaking {
                    startedSpeaking = true
                    await setState(.speaking)
                }
                let first = progress.withLock { $0.played(frameSamples, chunk: chunk) }
                if first { eventSink.yield(.agentSpeaking(progress.withLock { $0.text(ofChunk: chunk) })) }
            }
        }
    }

    /// Speaks `text` outside a reply (greetings, `say` from a hook) and returns what was heard.
    func speakStandalone(_ text: String) async -> SpokenText {
        let (input, sink) = AsyncStream<SpeechInput>.makeStream()
        sink.yield(.whole(text))
        sink.finish()
        let progress = SpeechProgress(sampleRate: options.outputSampleRate)
        await speak(input, voice: agent.preferences.voice, progress: progress, probe: ReplyProbe(),
                    rewrite: ttsRewrite(for: agent))
        if currentReplyIsIdle { setState(.listening) }
        return progress.snapshot
    }
}

extension AgentSession {
    /// The agent's `ttsNode` as a rewrite function for `speak`.
    func ttsRewrite(for agent: any VoiceAgent) -> @Sendable (String) async -> String {
        { [weak self] text in
            guard let self else { return text }
            return await agent.ttsNode(text: text, session: self) ?? text
        }
    }
}

/// Releases frames at the frame rate (real time) or at once; never bursts to catch up after a gap,
/// because a gap was heard as silence anyway.
struct Pacer {
    let frame: Duration
    let realTime: Bool
    private var next: ContinuousClock.Instant?
    private var released = 0

    init(frame: Duration, realTime: Bool) {
        self.frame = frame
        self.realTime = realTime
    }

    /// Waits for the next frame's slot; false when the task was cancelled.
    mutating func wait() async -> Bool {
        guard realTime else {
            released += 1
            if released % 50 == 0 { await Task.yield() }
            return !Task.isCancelled
        }
        let now = ContinuousClock.now
        if next.map({ $0 < now }) ?? true { next = now }
        guard let due = next else { return false }
        do { try await Task.sleep(until: due, clock: .continuous) } catch { return false }
        next = due + frame
        return !Task.isCancelled
    }
}
