/// Why a provider's model catalogue could not be had: the one line the start-up check and
/// `providers check` print before carrying on without it.
public struct CatalogueError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The endpoint could not be reached or answered non-2xx.
        case unreachable
        /// The answer was not the vendor's list-models shape.
        case malformed
        /// The answer broke a bound (bytes, nesting, models, pages).
        case tooLarge
        /// The provider has no list-models endpoint we read.
        case unsupported
    }

    public let code: Code
    public let provider: String
    public let message: String

    public init(_ code: Code, provider: String, _ message: String) {
        self.code = code
        self.provider = provider
        self.message = message
    }

    public var description: String { "\(provider) model catalogue: \(message)" }
}
