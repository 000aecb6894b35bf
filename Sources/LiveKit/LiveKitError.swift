import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import WSClient

/// Why a connection to a LiveKit server failed, in one line a newcomer can act on ("cannot connect
/// to ws://127.0.0.1:9: connection refused — is the LiveKit server running?"), never a raw NIO dump.
/// `underlying` keeps the original error for logs at debug level.
public struct LiveKitError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, Equatable {
        /// Nothing listens at the address (ECONNREFUSED).
        case connectionRefused
        /// The host name does not resolve, or the host cannot be reached in time.
        case unreachable
        /// The TLS handshake failed (certificate not trusted or not for this host, not a TLS server).
        case tls
        /// The server answered the WebSocket upgrade with an HTTP error (401: the token was refused).
        case upgradeRefused
        /// The connection broke or the server spoke something other than LiveKit's protocol.
        case connectionLost
    }

    public let code: Code
    public let message: String
    /// The HTTP status of a refused upgrade.
    public let httpStatus: Int?
    public let underlying: (any Error)?

    public init(_ code: Code, _ message: String, httpStatus: Int? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.underlying = underlying
    }

    public var description: String { message }

    /// Names the cause of `error`, thrown while connecting to `url` (a URL without credentials:
    /// `LiveKitEndpoint` refuses user info, and the token travels in a header, never in `url`).
    public static func connecting(to url: String, _ error: any Error) -> LiveKitError {
        if let error = error as? LiveKitError { return error }
        if let errno = connectErrno(error) {
            if errno == ECONNREFUSED {
                return LiveKitError(.connectionRefused,
                                    "cannot connect to \(url): connection refused — is the LiveKit server running?",
                                    underlying: error)
            }
            return LiveKitError(.unreachable, "cannot connect to \(url): \(String(cString: strerror(errno)))",
                                underlying: error)
        }
        if let error = error as? NIOConnectionError {
            // Happy Eyeballs wraps what went wrong on each address; the first one names the cause.
            guard let first = error.connectionErrors.first else {
                return LiveKitError(.unreachable, "cannot connect to \(url): the host name does not resolve", underlying: error)
            }
            return connecting(to: url, first.error)
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return LiveKitError(.unreachable, "cannot connect to \(url): no answer (connect timed out)", underlying: error)
        }
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            return LiveKitError(.tls, "TLS with \(url) failed: the server's certificate is not for this host", underlying: error)
        }
        if let error = error as? NIOSSLError {
            return LiveKitError(.tls, "TLS with \(url) failed: \(tlsReason(error)) (is it a TLS server, and is its "
                                + "certificate trusted?)", underlying: error)
        }
        if let error = error as? WebSocketClientError, error == .webSocketUpgradeFailed {
            return refusedUpgrade(url, status: nil)
        }
        let text = "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
        return LiveKitError(.connectionLost, "the connection to \(url) failed: \(text)", underlying: error)
    }

    /// The server answered the WebSocket upgrade with `status` (nil: the status is unknown).
    static func refusedUpgrade(_ url: String, status: Int?) -> LiveKitError {
        switch status {
        case 401, 403:
            return LiveKitError(.upgradeRefused, "LiveKit refused the worker's token (HTTP \(status!)): check "
                                + "LIVEKIT_API_KEY and LIVEKIT_API_SECRET", httpStatus: status)
        case 404:
            return LiveKitError(.upgradeRefused, "\(url) answered HTTP 404: is LIVEKIT_URL a LiveKit server?",
                                httpStatus: status)
        case let status?:
            return LiveKitError(.upgradeRefused, "\(url) refused the WebSocket upgrade (HTTP \(status))", httpStatus: status)
        case nil:
            return LiveKitError(.upgradeRefused, "\(url) refused the WebSocket upgrade")
        }
    }

    /// The errno of a failed TCP connect, wherever NIO put it.
    private static func connectErrno(_ error: any Error) -> CInt? {
        if let error = error as? IOError { return error.errnoCode }
        if let error = error as? NIOConnectionError {
            for attempt in error.connectionErrors {
                if let io = attempt.error as? IOError { return io.errnoCode }
            }
        }
        return nil
    }

    private static func tlsReason(_ error: NIOSSLError) -> String {
        switch error {
        case .handshakeFailed(let inner):
            let text = "\(inner)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") { return "the server's certificate is not trusted" }
            if text.contains("WRONG_VERSION_NUMBER") { return "the server does not speak TLS here" }
            return "the handshake failed"
        case .uncleanShutdown: return "the server closed the connection during the handshake"
        default: return "\(error)"
        }
    }
}
