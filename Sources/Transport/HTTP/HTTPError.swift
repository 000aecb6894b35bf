/// The one error type of `Transport` for HTTP: a code to branch on and a message for logs.
/// Messages never include request headers (they carry API keys).
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The URL or request could not be used (bad scheme, unsupported option).
        case invalidRequest
        /// DNS, TCP connect or TLS failure before anything was sent.
        case connectFailed
        /// TLS handshake or certificate verification failed.
        case tls
        case timeout(TimeoutKind)
        /// The connection broke after the request was sent (reset, cut mid-body, malformed HTTP).
        case network
        /// The caller's task was cancelled.
        case cancelled
    }

    public enum TimeoutKind: String, Sendable, Equatable {
        case connect, firstByte, idle, total
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
