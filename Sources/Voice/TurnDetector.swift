import Agents
import Audio

/// Decides when the user's turn is over, and when the user is talking over the agent: the sans-IO
/// heart of turn-taking.
///
/// It runs the VAD over the user's audio, cuts speech segments (with a little audio from before
/// the onset, which the VAD dates back) and asks the driver to transcribe each one as soon as it
/// ends, so speech to text runs during the endpointing wait instead of after it.
///
/// Its clock is the audio itself: every frame advances media time by its duration. A live room
/// delivers audio in real time, so media time tracks the wall clock; a file or a test can feed
/// audio as fast as it likes and get the same decisions. That is the virtual clock of its tests.
///
/// Rules (LiveKit's defaults, see `TurnSettings`):
/// - The turn ends once every segment has its transcript and the user has been silent for
///   `minEndpointingDelay`, or `maxEndpointingDelay` when the words so far sound unfinished
///   ("… and", "um"). All-empty transcripts (noise) end nothing.
/// - While a reply is active, speech lasting `minInterruptionDuration` is a barge-in, reported
///   once. Shorter speech over the agent is a false interruption: the agent keeps talking and the
///   segment is dropped (a cough or an "mm-hmm" is not a question).
public struct TurnDetector: Sendable {
    public enum Input: Sendable {
        /// The next user frame (mono, the VAD's sample rate).
        case audio(AudioFrame)
        /// What speech to text heard in segment `segment`.
        case transcript(segment: Int, text: String)
        /// Whether the agent is replying (thinking or speaking): speech then may be a barge-in.
        case replyActive(Bool)
        /// The input has ended: close any open segment and stop waiting for more speech.
        case inputEnded
    }

    public enum Output: Sendable, Equatable {
        case userStartedSpeaking
        case userStoppedSpeaking
        /// Transcribe this segment and hand the text back as `.transcript(segment:text:)`.
        case transcribe(segment: Int, audio: AudioFrame)
        /// The turn's words so far, before the turn is over.
        case interimTranscript(String)
        /// The user spoke over the reply long enough to stop it.
        case interruption
        /// The turn is over: answer `text`.
        case endOfTurn(UserTurn)
    }

    /// A finished user turn.
    public struct UserTurn: Sendable, Equatable {
        public var text: String
        /// Media time from the end of the last speech to the decision (the endpointing delay plus
        /// any wait for the transcript).
        public var endOfUtteranceDelay: Duration
        /// Media time when the last speech ended.
        public var speechEndedAt: Duration
    }

    public let settings: TurnSettings
    /// Media time: the duration of all audio seen so far.
    public var now: Duration { duration(samples: position) }

    private var vad: VoiceActivityDetector
    private let sampleRate: Int
    private var position = 0
    /// Media position (in samples) at the end of the last frame the VAD judged voiced.
    private var lastVoiced = 0
    /// The last second of audio, for the pre-roll a segment starts with.
    private var history: [Int16] = []
    private var historyStart = 0
    private var segment: OpenSegment?
    private var transcripts: [Int: String?] = [:]
    private var turnSegments: [Int] = []
    private var nextSegment = 0
    private var lastSpeechEnd: Int?
    private var replyActive = false
    private var inputEnded = false
    private var outputs: [Output] = []

    private struct OpenSegment {
        var id: Int
        var samples: [Int16]
        var onset: Int
        var overReply: Bool
        var interrupted = false
    }

    private static let preRoll = 0.2
    private static let historySeconds = 1.0

    public init(settings: TurnSettings = TurnSettings(), vad configuration: VoiceActivityDetector.Configuration =
                    VoiceActivityDetector.Configuration()) throws(AudioError) {
        self.settings = settings
        vad = try VoiceActivityDetector(configuration: configuration)
        sampleRate = configuration.sampleRate
    }

    public mutating func handle(_ input: Input) throws(AudioError) {
        switch input {
        case .audio(let frame):
            try process(frame)
        case .transcript(let id, let text):
            guard transcripts[id] != nil else { return }   // a segment dropped meanwhile
            transcripts[id] = .some(text.trimmingCharacters(in: .whitespacesAndNewlines))
            let words = turnText()
            if !words.isEmpty { outputs.append(.interimTranscript(words)) }
            checkEndOfTurn()
        case .replyActive(let active):
            replyActive = active
        case .inputEnded:
            inputEnded = true
            var event = vad.finish()
            while let current = event {
                handle(current)
                event = vad.pollEvent()
            }
            checkEndOfTurn()
        }
    }

    public mutating func pollOutput() -> Output? {
        outputs.isEmpty ? nil : outputs.removeFirst()
    }

    // MARK: Audio

    private mutating func process(_ frame: AudioFrame) throws(AudioError) {
        var event = try vad.process(frame)
        history += frame.samples
        position += frame.samplesPerChannel
        let excess = history.count - Int(Self.historySeconds * Double(sampleRate))
        if excess > 0 {
            history.removeFirst(excess)
            historyStart += excess
        }
        segment?.samples += frame.samples
        if vad.speechProbability >= vad.configuration.activationThreshold { lastVoiced = position }
        while let current = event {
            handle(current)
            event = vad.pollEvent()
        }
        checkInterruption()
        checkEndOfTurn()
    }

    private mutating func handle(_ event: VADEvent) {
        switch event {
        case .speechStarted(let onset):
            let start = max(historyStart, onset - Int(Self.preRoll * Double(sampleRate)))
            segment = OpenSegment(id: nextSegment, samples: Array(history[(start - historyStart)...]),
                                  onset: onset, overReply: replyActive)
            nextSegment += 1
            outputs.append(.userStartedSpeaking)
        case .speechEnded(let end, _):
            outputs.append(.userStoppedSpeaking)
            guard let closed = segment else { return }
            segment = nil
            // Speech over the reply that did not interrupt it is not a turn of its own.
            if closed.overReply && !closed.interrupted { return }
            lastSpeechEnd = end
            transcripts[closed.id] = .some(nil)
            turnSegments.append(closed.id)
            outputs.append(.transcribe(segment: closed.id,
                                       audio: AudioFrame(samples: closed.samples, sampleRate: sampleRate)))
        }
    }

    private mutating func checkInterruption() {
        guard var open = segment, !open.interrupted, replyActive || open.overReply else { return }
        if !open.overReply { open.overReply = true }
        // Measured to the last voiced frame: the VAD's hangover after speech is not speech.
        if duration(samples: lastVoiced - open.onset) >= settings.minInterruptionDuration {
            open.interrupted = true
            outputs.append(.interruption)
        }
        segment = open
    }

    // MARK: End of turn

    private mutating func checkEndOfTurn() {
        guard segment == nil, !turnSegments.isEmpty, let lastSpeechEnd else { return }
        // Every transcript must be in before the turn can be judged (or answered).
        guard turnSegments.allSatisfy({ transcripts[$0] != nil && transcripts[$0]! != nil }) else { return }
        let text = turnText()
        guard !text.isEmpty else {
            clearTurn()   // noise: nothing was said
            return
        }
        let silence = duration(samples: position - lastSpeechEnd)
        let needed = Self.soundsUnfinished(text) ? settings.maxEndpointingDelay : settings.minEndpointingDelay
        guard silence >= needed || inputEnded else { return }
        outputs.append(.endOfTurn(UserTurn(text: text, endOfUtteranceDelay: silence,
                                           speechEndedAt: duration(samples: lastSpeechEnd))))
        clearTurn()
    }

    private mutating func clearTurn() {
        for id in turnSegments { transcripts[id] = nil }
        turnSegments = []
        lastSpeechEnd = nil
    }

    private func turnText() -> String {
        turnSegments.compactMap { transcripts[$0] ?? nil }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Words that rarely end a finished thought; after them the user is probably still going.
    static func soundsUnfinished(_ text: String) -> Bool {
        let last = text.lowercased().split(whereSeparator: { !$0.isLetter && $0 != "'" }).last.map(String.init) ?? ""
        return ["and", "but", "or", "so", "because", "um", "uh", "the", "a", "an", "to", "of", "with", "like",
                "then", "if", "my", "is"].contains(last)
    }

    private func duration(samples: Int) -> Duration {
        .microseconds(Int64(samples) * 1_000_000 / Int64(sampleRate))
    }
}
