/// The one error type of `OpenSSLCrypto`: a code to branch on, a message for humans.
public struct CryptoError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// libcrypto reported a failure that well-formed input should never cause.
        case libraryFailure
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
