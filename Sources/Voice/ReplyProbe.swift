import Synchronization

/// First-occurrence timestamps of one reply, written from the LLM, TTS and playout tasks.
final class ReplyProbe: Sendable {
    struct Marks {
        var firstText: ContinuousClock.Instant?
        var firstTextToTTS: ContinuousClock.Instant?
        var firstTTSAudio: ContinuousClock.Instant?
        var firstPlayed: ContinuousClock.Instant?
    }

    private let marks = Mutex(Marks())

    func mark(_ keyPath: WritableKeyPath<Marks, ContinuousClock.Instant?> & Sendable) {
        let now = ContinuousClock.now
        marks.withLock { if $0[keyPath: keyPath] == nil { $0[keyPath: keyPath] = now } }
    }

    var snapshot: Marks { marks.withLock { $0 } }
}

/// `SpokenText` shared by the TTS and playout tasks of one reply.
final class SpeechProgress: Sendable {
    private let state: Mutex<SpokenText>

    init(sampleRate: Int) { state = Mutex(SpokenText(sampleRate: sampleRate)) }

    func withLock<Result: Sendable>(_ body: (inout SpokenText) -> Result) -> Result { state.withLock { body(&$0) } }

    var snapshot: SpokenText { state.withLock { $0 } }
}
