#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address and UDP port as the sans-IO machines see them: a plain value, no socket types.
///
/// The UDP driver converts to and from its socket addresses at the edge; ICE candidates, STUN
/// XOR-MAPPED-ADDRESS and pair bookkeeping all use this.
public struct TransportAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public let ipBytes: [UInt8]
    public let port: UInt16

    public init?(ipBytes: [UInt8], port: UInt16) {
        guard ipBytes.count == 4 || ipBytes.count == 16 else { return nil }
        self.ipBytes = ipBytes
        self.port = port
    }

    /// Parses a numeric IPv4 or IPv6 address ("127.0.0.1", "::1"); host names are not resolved here.
    public init?(host: String, port: UInt16) {
        let text = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(ipBytes: withUnsafeBytes(of: &v4) { Array($0) }, port: port)
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.init(ipBytes: withUnsafeBytes(of: &v6) { Array($0) }, port: port)
            return
        }
        return nil
    }

    public var isIPv6: Bool { ipBytes.count == 16 }
    public var isLoopback: Bool { isIPv6 ? ipBytes == [UInt8](repeating: 0, count: 15) + [1] : ipBytes[0] == 127 }
    public var isLinkLocal: Bool { isIPv6 ? ipBytes[0] == 0xFE && ipBytes[1] & 0xC0 == 0x80 : ipBytes[0] == 169 && ipBytes[1] == 254 }

    /// The numeric host text ("192.0.2.1", "2001:db8::1").
    public var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv6 ? AF_INET6 : AF_INET
        let ok = ipBytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) } != nil
        guard ok else { return "?" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
