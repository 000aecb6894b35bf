/// What a speech-to-text provider heard in one stretch of audio.
///
/// Codable because routed events may be cached; an empty `text` is a valid answer (silence or
/// noise), not a failure.
public struct Transcript: Sendable, Equatable, Codable {
    public var text: String
    /// 0...1 when the provider reports one.
    public var confidence: Double?
    /// BCP-47 language the provider recognized or was told to use ("en-US"), when known.
    public var language: String?
    /// False for interim results that a later transcript of the same audio replaces.
    public var isFinal: Bool

    public init(text: String, confidence: Double? = nil, language: String? = nil, isFinal: Bool = true) {
        self.text = text
        self.confidence = confidence
        self.language = language
        self.isFinal = isFinal
    }

    /// Nothing recognized: what silence or noise transcribes to.
    public static func empty(language: String? = nil) -> Transcript {
        Transcript(text: "", confidence: nil, language: language, isFinal: true)
    }

    public var isEmpty: Bool { text.isEmpty }
}
