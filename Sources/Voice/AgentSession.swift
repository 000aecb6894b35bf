import Agents
import Audio
import Foundation
import Logging
import Providers

/// One conversation between a user and an agent: LiveKit's `AgentSession`, in Swift.
///
/// Audio in (`run(input:)`, any rate, converted to the VAD's mono rate) goes through the
/// `TurnDetector` (VAD, segments, endpointing, barge-in); each segment is transcribed by the STT
/// chain while the endpointing delay runs; a finished turn goes through the agent's hooks and the
/// `ToolLoop` over the LLM chain; its text is cut into clauses (`SentenceChunker`) and spoken by the
/// TTS chain as soon as each is complete; audio leaves on `audioOutput` in fixed frames. Text
/// mode (`respond(to:)`) runs the same turn without audio.
///
/// Never silent: the chains end in local last resorts, and a reply that fails anyway is replaced
/// by `options.apology`. A barge-in cancels the LLM and TTS (the router does not count a
/// cancellation as a provider failure) and keeps only the words that were heard.
public actor AgentSession: AgentSessionControl {
    /// Agent audio, `options.frameMilliseconds` per frame at `options.outputSampleRate`, mono.
    /// When the consumer falls more than 10 s behind, the oldest audio is dropped.
    public nonisolated let audioOutput: AsyncStream<AudioFrame>
    public nonisolated let events: AsyncStream<AgentSessionEvent>
    public nonisolated let logger: Logger
    public let options: AgentSessionOptions

    public private(set) var chatContext: ChatContext
    public private(set) var agent: any VoiceAgent
    public private(set) var state: AgentState = .initializing
    /// Metrics of every finished turn, oldest first (the last 100).
    public private(set) var turnMetrics: [TurnMetrics] = []
    /// When the last barge-in was detected (the reply's audio stops right after).
    public private(set) var lastBargeIn: ContinuousClock.Instant?

    let sessionLLM: any LLM
    let stt: FallbackRouter<STTCapability>?
    let tts: FallbackRouter<TTSCapability>?
    let audioSink: AsyncStream<AudioFrame>.Continuation
    /// Greetings and replies take turns on `audioOutput`.
    let turnstile = SpeechTurnstile()
    let eventSink: AsyncStream<AgentSessionEvent>.Continuation

    private var detector: TurnDetector
    private var inputConverter: InputConverter
    /// Transcriptions in flight by segment. Unstructured: each reports back into this actor;
    /// `close()` cancels any left.
    private var transcriptions: [Int: Task<Void, Never>] = [:]
    private var transcriptionStarted: [Int: ContinuousClock.Instant] = [:]
    private var lastSTTLatency: Duration?
    /// Replies generating, speaking or queued behind one another, by start order. Unstructured
    /// because turns start from audio input; a barge-in or `close()` cancels them all, and each
    /// waits for the one before it.
    private var replies: [Int: Task<Void, Never>] = [:]
    private var replyCounter = 0
    /// The newest reply, which the next one queues behind.
    private var currentReply: Task<Void, Never>? { replies[replyCounter] }
    /// Where `say` puts text while a reply is speaking, so it is queued behind the reply's audio.
    var activeChunkSink: AsyncStream<SpeechInput>.Continuation?
    var saidDuringEnter = false
    /// Turns, barge-ins and turn-end-to-first-audio for `/metrics`.
    let sessionMetrics = SessionMetrics()

    /// - Parameters:
    ///   - llm: the session's LLM, usually a `FallbackLLM` over a chain ending in canned replies.
    ///   - stt, tts: speech chains; nil for a text-only session.
    public init(agent: any VoiceAgent, llm: any LLM, stt: FallbackRouter<STTCapability>? = nil,
                tts: FallbackRouter<TTSCapability>? = nil, options: AgentSessionOptions = AgentSessionOptions(),
                logger: Logger = Logger(label: "steadfast.session")) throws(AudioError) {
        self.agent = agent
        self.sessionLLM = llm
        self.stt = stt
        self.tts = tts
        self.options = options
        self.logger = logger
        chatContext = ChatContext(instructions: agent.instructions)
        detector = try TurnDetector(settings: agent.preferences.turn ?? options.turn, vad: options.vad)
        inputConverter = InputConverter(rate: options.vad.sampleRate)
        (audioOutput, audioSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(
            10_000 / max(1, options.frameMilliseconds)))
        (events, eventSink) = AsyncStream.makeStream()
    }

    // MARK: AgentSessionControl

    public var llm: any LLM { sessionLLM }
    public var agentName: String { agent.name }

    public func say(_ text: String) async {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return }
        saidDuringEnter = true
        // Inside a reply (a tool saying "one moment"): spoken after what is already queued.
        if let activeChunkSink, case .enqueued = activeChunkSink.yield(.whole(text)) {
            chatContext.append(.assistant(text))
            return
        }
        let spoken = await speakStandalone(text)
        let kept = tts == nil ? text : spoken.heardText
        if !kept.isEmpty { chatContext.append(.assistant(kept)) }
    }

    // MARK: Lifecycle

    /// Enters the agent (its greeting, if any) and starts listening.
    public func start() async {
        await agent.onEnter(session: self)
        setState(.listening)
    }

    /// Feeds user audio until `input` ends, then waits for the last turn's reply.
    public func run<Input: AsyncSequence & Sendable>(input: Input) async where Input.Element == AudioFrame {
        do {
            for try await frame in input {
                if Task.isCancelled { break }
                consume(frame)
            }
        } catch {
            emit(.error(VoiceError(.audioInputFailed, "audio input failed: \(error)", underlying: error)))
        }
        feed(.inputEnded)
        await waitUntilIdle()
    }

    /// One user frame (any rate and channel count).
    public func consume(_ frame: AudioFrame) {
        guard let converted = inputConverter.convert(frame) else { return }
        feed(.audio(converted))
    }

    /// A text turn: the same hooks, tools and chains, no audio in; returns the reply's text.
    /// With a TTS chain the reply is also spoken.
    /// Like a spoken turn, the reply can be interrupted by user speech arriving on `run(input:)`.
    @discardableResult
    public func respond(to text: String) async -> String {
        let (task, result) = startReply(text: text, metrics: TurnMetrics())
        await task.value
        return await result.value
    }

    /// Waits until no transcription or reply is pending.
    public func waitUntilIdle() async {
        while true {
            for task in Array(transcriptions.values) { await task.value }
            for reply in Array(replies.values) { await reply.value }
            if transcriptions.isEmpty && replies.isEmpty { return }
        }
    }

    /// Stops everything, calls the agent's `onExit` and ends the output streams.
    public func close() async {
        for task in transcriptions.values { task.cancel() }
        for reply in replies.values { reply.cancel() }
        for reply in Array(replies.values) { await reply.value }
        await agent.onExit(session: self)
        audioSink.finish()
        eventSink.finish()
    }

    // MARK: Turn detection

    private func feed(_ input: TurnDetector.Input) {
        do { try detector.handle(input) } catch {
            emit(.error(VoiceError(.audioDropped, "audio dropped: \(error)", underlying: error)))
            return
        }
        while let output = detector.pollOutput() { perform(output) }
    }

    private func perform(_ output: TurnDetector.Output) {
        switch output {
        case .userStartedSpeaking:
            emit(.userStartedSpeaking)
        case .userStoppedSpeaking:
            emit(.userStoppedSpeaking)
        case .transcribe(let segment, let audio):
            transcribe(segment: segment, audio: audio)
        case .interimTranscript(let text):
            emit(.userTranscript(text, isFinal: false))
        case .interruption:
            interrupt()
        case .endOfTurn(let turn):
            startReply(to: turn)
        }
    }

    private func transcribe(segment: Int, audio: AudioFrame) {
        guard let stt else {
            feed(.transcript(segment: segment, text: ""))
            return
        }
        transcriptionStarted[segment] = .now
        let request = STTRequest(audio: audio, language: options.language)
        let logger = self.logger
        transcriptions[segment] = Task {
            var text = ""
            do {
                for try await event in stt.stream(request) {
                    if case .event(let transcript) = event, transcript.isFinal { text = transcript.text }
                }
            } catch {
                logger.warning("speech to text failed for a segment", metadata: ["error": "\(error)"])
            }
            self.transcribed(segment: segment, text: text)
        }
    }

    private func transcribed(segment: Int, text: String) {
        transcriptions[segment] = nil
        if let started = transcriptionStarted.removeValue(forKey: segment) { lastSTTLatency = .now - started }
        feed(.transcript(segment: segment, text: text))
    }

    private func interrupt() {
        guard !replies.isEmpty else { return }
        logger.info("User interrupted the agent")
        lastBargeIn = .now
        sessionMetrics.bargeIns.increment()
        emit(.bargeIn)
        for reply in replies.values { reply.cancel() }
    }

    private func startReply(to turn: TurnDetector.UserTurn) {
        var metrics = TurnMetrics()
        metrics.endOfUtteranceDelay = turn.endOfUtteranceDelay
        metrics.sttLatency = lastSTTLatency
        _ = startReply(text: turn.text, metrics: metrics)
    }

    /// Starts a reply after the one in progress; returns its task and, separately, its text (the
    /// task itself may be cancelled by a barge-in; the text is what was kept).
    private func startReply(text: String, metrics: TurnMetrics) -> (Task<Void, Never>, Task<String, Never>) {
        let previous = currentReply
        feed(.replyActive(true))
        let (stream, sink) = AsyncStream<String>.makeStream()
        replyCounter += 1
        let id = replyCounter
        let task = Task {
            await previous?.value
            let kept = await self.reply(to: text, turn: metrics)
            sink.yield(kept)
            sink.finish()
            self.replyEnded(id)
        }
        replies[id] = task
        let result = Task { await stream.first(where: { _ in true }) ?? "" }
        return (task, result)
    }

    private func replyEnded(_ id: Int) {
        replies[id] = nil
        if replies.isEmpty { feed(.replyActive(false)) }
    }

    // MARK: Helpers

    func setState(_ new: AgentState) {
        guard new != state else { return }
        state = new
        emit(.stateChanged(new))
    }

    func emit(_ event: AgentSessionEvent) { eventSink.yield(event) }

    func recordMetrics(_ metrics: TurnMetrics) {
        turnMetrics.append(metrics)
        if turnMetrics.count > 100 { turnMetrics.removeFirst() }
        logger.info("Turn metrics: \(metrics.summary)")
        sessionMetrics.record(metrics)
        emit(.metrics(metrics))
    }

    func replaceAgent(with new: any VoiceAgent) {
        let old = agent.name
        agent = new
        chatContext.setInstructions(new.instructions)
        emit(.agentChanged(from: old, to: new.name))
        logger.info("Agent handoff", metadata: ["agent.from": "\(old)", "agent.to": "\(new.name)"])
    }

    func appendToContext(_ messages: [ChatMessage]) { chatContext.append(contentsOf: messages) }

    func updateContext(_ context: ChatContext) { chatContext = context }

    var currentReplyIsIdle: Bool { replies.isEmpty }
}

/// Converts input frames to the VAD's mono rate, keeping one resampler per input format.
struct InputConverter {
    let rate: Int
    private var resampler: Resampler?

    init(rate: Int) { self.rate = rate }

    mutating func convert(_ frame: AudioFrame) -> AudioFrame? {
        guard !frame.isEmpty else { return nil }
        let mono = frame.channels == 1 ? frame : frame.mixedToMono()
        guard mono.sampleRate != rate else { return mono }
        if resampler?.inputRate != mono.sampleRate {
            resampler = try? Resampler(from: mono.sampleRate, to: rate)
        }
        return try? resampler?.process(mono)
    }
}
