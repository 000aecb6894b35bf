import Foundation

/// Which HTTP proxy a LiveKit WebSocket goes through, read from the environment the way libcurl reads
/// it for the providers' HTTPS (curl(1) "ENVIRONMENT", checked 2026-12-07): `https_proxy` or
/// `HTTPS_PROXY` for `wss://`, `http_proxy` (lower case only) for `ws://`, and `no_proxy` /
/// `NO_PROXY` naming hosts that bypass it. The tunnel is HTTP CONNECT (RFC 9110 §9.3.6).
struct WebSocketProxy: Equatable, Sendable {
    /// The proxy's host (an IPv6 literal without brackets) and port.
    var host: String
    var port: Int
    /// `user:password` from the proxy URL, sent as Basic proxy authorization.
    var credentials: String?

    /// `host:port` (bracketed IPv6), what libwebsockets' `lws_set_proxy` takes, with credentials first.
    var lwsAddress: String {
        let bracketed = LiveKitWebSocket.isIPv6(host) ? "[\(host)]" : host
        return (credentials.map { "\($0)@" } ?? "") + "\(bracketed):\(port)"
    }

    /// What error messages show (never the credentials).
    var display: String {
        LiveKitWebSocket.isIPv6(host) ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The proxy for `plan`, nil for a direct connection; throws a one-line error for a proxy
    /// setting that cannot be used (not `http://`, no host).
    static func select(for plan: LiveKitWebSocket.Plan, environment: [String: String]) throws(LiveKitError) -> WebSocketProxy? {
        let variables = plan.usesTLS ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy"]
        guard let (name, value) = variables.lazy.compactMap({ name in
            environment[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : (name, $0) }
        }).first else { return nil }
        if bypasses(plan.host, noProxy: environment["no_proxy"] ?? environment["NO_PROXY"]) { return nil }
        return try parse(value.trimmingCharacters(in: .whitespaces), variable: name)
    }

    /// `[http://][user:password@]host[:port][/]`; curl's default port for an HTTP proxy is 1080.
    static func parse(_ value: String, variable: String) throws(LiveKitError) -> WebSocketProxy {
        var rest = Substring(value)
        if let range = rest.range(of: "://") {
            let scheme = rest[..<range.lowerBound].lowercased()
            guard scheme == "http" else {
                throw LiveKitError(.unreachable, "\(variable) uses a \(scheme):// proxy; the LiveKit WebSocket goes "
                                   + "through http:// proxies only (HTTP CONNECT): set \(variable)=http://host:port")
            }
            rest = rest[range.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var credentials: String?
        if let at = rest.lastIndex(of: "@") {
            credentials = String(rest[..<at]).removingPercentEncoding
            rest = rest[rest.index(after: at)...]
        }
        var host = rest
        var port = 1080
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()), (1...65535).contains(number) else { throw invalid(variable) }
                port = number
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]), (1...65535).contains(number) else {
                throw invalid(variable)
            }
            port = number
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw invalid(variable) }
        return WebSocketProxy(host: String(host), port: port, credentials: credentials)
    }

    private static func invalid(_ variable: String) -> LiveKitError {
        LiveKitError(.unreachable, "\(variable) is not a proxy URL like http://proxy.example.com:3128")
    }

    /// curl's `no_proxy` rules: a comma-separated list; `*` matches every host; an entry matches the
    /// host itself and its subdomains (a leading dot is ignored); IP addresses match exactly, or by
    /// CIDR prefix (`10.0.0.0/8`).
    static func bypasses(_ host: String, noProxy: String?) -> Bool {
        guard let noProxy else { return false }
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        for raw in noProxy.split(whereSeparator: { $0 == "," || $0 == " " }) {
            var entry = raw.lowercased()
            if entry == "*" { return true }
            if entry.hasPrefix("[") && entry.hasSuffix("]") { entry = String(entry.dropFirst().dropLast()) }
            while entry.hasPrefix(".") { entry.removeFirst() }
            guard !entry.isEmpty else { continue }
            if let slash = entry.firstIndex(of: "/"), let bits = Int(entry[entry.index(after: slash)...]) {
                if matchesCIDR(name, network: String(entry[..<slash]), bits: bits) { return true }
                continue
            }
            if name == entry || (!LiveKitWebSocket.isIPAddress(name) && name.hasSuffix("." + entry)) { return true }
        }
        return false
    }

    private static func matchesCIDR(_ host: String, network: String, bits: Int) -> Bool {
        guard let address = addressBytes(host), let prefix = addressBytes(network), address.count == prefix.count,
              bits >= 0, bits <= address.count * 8 else { return false }
        for index in 0..<address.count {
            let remaining = bits - index * 8
            if remaining <= 0 { break }
            let mask: UInt8 = remaining >= 8 ? 0xFF : UInt8(truncatingIfNeeded: 0xFF << (8 - remaining))
            if address[index] & mask != prefix[index] & mask { return false }
        }
        return true
    }

    private static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if text.withCString({ inet_pton(AF_INET, $0, &v4) }) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if text.withCString({ inet_pton(AF_INET6, $0, &v6) }) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
