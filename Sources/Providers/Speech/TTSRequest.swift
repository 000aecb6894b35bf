/// Text to speak through a `FallbackRouter<TTSCapability>`.
///
/// The text is split into sentences up front; `firstSentence` is where a continuation resumes
/// after a provider failed mid-answer (the router sets it, callers leave it at 0).
public struct TTSRequest: Sendable, Equatable {
    public var sentences: [String]
    /// Index into `sentences` of the first sentence to speak.
    public var firstSentence: Int
    /// Provider-specific voice name; nil: each provider's default. Providers that do not know
    /// the name use their default rather than fail.
    public var voice: String?
    /// Rate of the frames the caller receives whichever provider speaks; nil: each provider's own.
    public var outputSampleRate: Int?
    public var deadline: ContinuousClock.Instant?

    public init(text: String, voice: String? = nil, outputSampleRate: Int? = 48_000,
                deadline: ContinuousClock.Instant? = nil) {
        self.init(sentences: SentenceSplitter.split(text), voice: voice, outputSampleRate: outputSampleRate,
                  deadline: deadline)
    }

    public init(sentences: [String], firstSentence: Int = 0, voice: String? = nil, outputSampleRate: Int? = 48_000,
                deadline: ContinuousClock.Instant? = nil) {
        self.sentences = sentences
        self.firstSentence = firstSentence
        self.voice = voice
        self.outputSampleRate = outputSampleRate
        self.deadline = deadline
    }

    /// The sentences still to speak, with their indices.
    public var remaining: [(index: Int, text: String)] {
        guard firstSentence < sentences.count else { return [] }
        return (max(0, firstSentence)..<sentences.count).map { ($0, sentences[$0]) }
    }
}
