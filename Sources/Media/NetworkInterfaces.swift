import RTC
#if canImport(Glibc)
import Glibc
#endif

/// The host's usable IP addresses, for ICE host candidates.
public enum NetworkInterfaces {
    /// IPv4 addresses of interfaces that are up, loopback included (LiveKit and our tests run on
    /// one machine); link-local addresses are left out because peers cannot reach them.
    public static func ipv4Addresses(includeLoopback: Bool = true) -> [String] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return includeLoopback ? ["127.0.0.1"] : [] }
        defer { freeifaddrs(head) }
        var result: [String] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                  entry.pointee.ifa_flags & UInt32(IFF_UP) != 0 else { continue }
            let isLoopback = entry.pointee.ifa_flags & UInt32(IFF_LOOPBACK) != 0
            if isLoopback && !includeLoopback { continue }
            var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                var ip = ipv4.pointee.sin_addr
                _ = inet_ntop(AF_INET, &ip, &buffer, socklen_t(buffer.count))
            }
            let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if text.hasPrefix("169.254.") || result.contains(text) { continue }
            result.append(text)
        }
        return result
    }
}
