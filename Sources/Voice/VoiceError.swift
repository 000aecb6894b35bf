/// The one error type of `Voice`: what a session reports through `AgentSessionEvent.error` while it
/// carries on (the caller hears an apology or the next turn; nothing ends the session).
public struct VoiceError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The turn's LLM call or tool loop failed; the session said its apology instead.
        case replyFailed
        /// The audio input sequence threw; the session stops listening and finishes the last turn.
        case audioInputFailed
        /// A frame the turn detector could not take was dropped.
        case audioDropped
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// The message, as the console and logs print it ("reply failed: ...").
    public var description: String { message }

    /// Same code and message: the underlying error is detail, not identity.
    public static func == (lhs: VoiceError, rhs: VoiceError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }
}
