/// Why a local speech engine could not start. Only construction throws it: once an engine is up,
/// it answers every normal input (it is the chain's never-fail tail).
public struct LocalSpeechError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// A model or data file is not where the engine looks for it.
        case missingModel
        /// The C library refused to start with files that do exist.
        case engineFailed
    }

    public let code: Code
    /// Says which path is wrong and which Debian package provides it.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
