/// The one error type of `SteadfastConfig`. Messages name the variable (or file and line) and,
/// for a missing value, the command that needs it. They never contain a secret's value.
public struct ConfigError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, Equatable {
        /// A required variable is unset or empty.
        case missing
        /// A variable is set to something unusable (not a URL, unknown provider, ...).
        case invalid
        /// The .env file exists but cannot be read or parsed.
        case badEnvFile
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
