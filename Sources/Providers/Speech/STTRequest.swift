import Audio

/// One utterance to transcribe through a `FallbackRouter<STTCapability>`.
public struct STTRequest: Sendable {
    public var audio: AudioFrame
    /// BCP-47 hint ("en-US"); nil lets the provider detect or use its default.
    public var language: String?
    /// When the transcript is no longer useful (the turn moved on); nil: the router's turn budget.
    public var deadline: ContinuousClock.Instant?

    public init(audio: AudioFrame, language: String? = nil, deadline: ContinuousClock.Instant? = nil) {
        self.audio = audio
        self.language = language
        self.deadline = deadline
    }
}
