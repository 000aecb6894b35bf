import Foundation

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
        if let error = error as? POSIXError { return connectFailed(url, errno: error.code.rawValue, underlying: error) }
        let text = "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
        return LiveKitError(.connectionLost, "the connection to \(url) failed: \(text)", underlying: error)
    }

    /// A TCP connect to `url` (or its proxy, named in `via`) that failed with `errno`.
    static func connectFailed(_ url: String, errno: CInt, via proxy: String? = nil, underlying: (any Error)? = nil) -> LiveKitError {
        let target = proxy.map { "the proxy \($0) for \(url)" } ?? url
        switch errno {
        case ECONNREFUSED:
            let hint = proxy == nil ? "is the LiveKit server running?" : "is the proxy running (https_proxy)?"
            return LiveKitError(.connectionRefused, "cannot connect to \(target): connection refused — \(hint)",
                                underlying: underlying)
        case ETIMEDOUT:
            return LiveKitError(.unreachable, "cannot connect to \(target): no answer (connect timed out) — is the "
                                + "host reachable from here, or is a firewall or proxy in the way?", underlying: underlying)
        default:
            return LiveKitError(.unreachable, "cannot connect to \(target): \(String(cString: strerror(errno)))",
                                underlying: underlying)
        }
    }

    /// The server answered the WebSocket upgrade with `status` (nil: the status is unknown) and,
    /// when it said why, `text` (LiveKit writes e.g. "invalid token: …" as the body).
    static func refusedUpgrade(_ url: String, status: Int?, text: String? = nil) -> LiveKitError {
        let said = text.map { Self.oneLine($0) }.flatMap { $0.isEmpty ? nil : " — the server said \"\($0)\"" } ?? ""
        switch status {
        case 401, 403:
            return LiveKitError(.upgradeRefused, "LiveKit refused the worker's token (HTTP \(status!)): check "
                                + "LIVEKIT_API_KEY and LIVEKIT_API_SECRET\(said)", httpStatus: status)
        case 404:
            return LiveKitError(.upgradeRefused, "\(url) answered HTTP 404: is LIVEKIT_URL a LiveKit server?\(said)",
                                httpStatus: status)
        case let status?:
            return LiveKitError(.upgradeRefused, "\(url) refused the WebSocket upgrade (HTTP \(status))\(said)",
                                httpStatus: status)
        case nil:
            return LiveKitError(.upgradeRefused, "\(url) refused the WebSocket upgrade\(said)")
        }
    }

    /// `text` as one printable line of at most 200 characters (a server's words go into our log line).
    static func oneLine(_ text: String) -> String {
        let flat = text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : String($0) }.joined()
        let words = flat.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return words.count > 200 ? String(words.prefix(200)) + "…" : words
    }
}
