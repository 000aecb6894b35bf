/// The one error type of `Agents`: registry misuse, agent files that do not validate, and a turn that
/// ended without words. (A tool's failure at run time is a `ToolError`, which goes back to the model.)
///
/// For file problems `file` and `field` name exactly where to look, e.g.
/// `agents/receptionist.yaml: webhooks[0].method: "FETCH" is not one of GET, POST, PUT, PATCH, DELETE`.
public struct AgentError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// Two agents registered under one name.
        case duplicateName
        /// A name that cannot serve as a LiveKit agent name (empty, or with spaces).
        case invalidName
        /// A file that cannot be read or is not YAML.
        case unreadableFile
        /// A file that is YAML but not a valid agent definition.
        case invalidDefinition
        /// The model ended a turn with no words (e.g. it kept calling tools past the step limit, or
        /// answered empty); the session says its apology rather than leave the caller in silence.
        case noAnswer
    }

    public let code: Code
    public let message: String
    /// The agent file, when the error is about one.
    public let file: String?
    /// The field path inside the file, e.g. `turn.min_endpointing_delay` or `webhooks[1].url`.
    public let field: String?
    public let underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, file: String? = nil, field: String? = nil,
                underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.field = field
        self.underlying = underlying
    }

    public var description: String {
        [file, field, message].compactMap { $0 }.joined(separator: ": ")
    }
}
