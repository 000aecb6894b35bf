import Foundation
import SteadfastConfig

/// The transport in use: libwebsockets over the system OpenSSL (`LibWebSocketsTransport`), one
/// context and one service thread for the process.
public typealias DefaultWebSocketTransport = LibWebSocketsTransport

/// How LiveKit's WebSocket URLs (`/agent`, `/rtc`) are connected to, decided before any IO so tests
/// can check it for every kind of host: an IP host sends no SNI (RFC 6066 §3 forbids IP literals
/// there) and its certificate is verified against its IP SAN; a name is sent as SNI and checked
/// against the DNS SANs.
enum LiveKitWebSocket {
    /// How a URL is connected to, decided before any IO (so tests can check it for every kind of host).
    struct Plan: Equatable, Sendable {
        /// The address to connect to (an IPv6 literal without its brackets).
        var host: String
        var port: Int
        var usesTLS: Bool
        /// The TLS server name, sent as SNI and checked against the certificate's DNS names; nil for an
        /// IP literal, whose certificate is checked against its IP SANs.
        var serverHostname: String?
        /// Path and query of the upgrade request.
        var target: String
        /// The `Host` header (with the port when it is not the scheme's default).
        var hostHeader: String
        /// The URL without its query (the query may carry a token): what error messages show.
        var displayURL: String
    }

    static func plan(_ components: URLComponents) throws(ConfigError) -> Plan {
        guard let scheme = components.scheme?.lowercased(), scheme == "ws" || scheme == "wss",
              let rawHost = components.host, !rawHost.isEmpty else {
            throw ConfigError(.invalid, "LIVEKIT_URL is not a ws(s) or http(s) URL with a host")
        }
        let usesTLS = scheme == "wss"
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        let defaultPort = usesTLS ? 443 : 80
        let port = components.port ?? defaultPort
        let bracketed = isIPv6(host) ? "[\(host)]" : host
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?\(query)" }
        let hostHeader = port == defaultPort ? bracketed : "\(bracketed):\(port)"
        var display = URLComponents()
        display.scheme = scheme
        display.percentEncodedHost = components.percentEncodedHost
        display.port = components.port
        display.percentEncodedPath = components.percentEncodedPath
        return Plan(host: host, port: port, usesTLS: usesTLS, serverHostname: isIPAddress(host) ? nil : host,
                    target: target, hostHeader: hostHeader, displayURL: display.string ?? "\(scheme)://\(bracketed)")
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        return host.withCString { inet_pton(AF_INET, $0, &v4) } == 1 || isIPv6(host)
    }

    static func isIPv6(_ host: String) -> Bool {
        var v6 = in6_addr()
        return host.withCString { inet_pton(AF_INET6, $0, &v6) } == 1
    }
}
