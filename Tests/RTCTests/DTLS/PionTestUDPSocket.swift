#if canImport(Glibc)
import Glibc
#endif

/// A UDP socket on 127.0.0.1 for interop tests: the sans-IO transport's bytes on a real wire.
final class PionTestUDPSocket {
    private let descriptor: Int32
    let port: UInt16
    private var peer = sockaddr_in()
    private(set) var hasPeer = false

    init?() {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        self.port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(descriptor) }

    /// Waits up to `milliseconds` for one datagram and remembers its sender as the peer.
    func receive(waitingAtMost milliseconds: Int32) -> [UInt8]? {
        var readiness = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&readiness, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var sender = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = withUnsafeMutablePointer(to: &sender) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                recvfrom(descriptor, &buffer, buffer.count, 0, $0, &length)
            }
        }
        guard count >= 0 else { return nil }
        peer = sender
        hasPeer = true
        return Array(buffer.prefix(count))
    }

    /// Directs `send` at 127.0.0.1:`port` before anything was received.
    func connect(toPort port: UInt16) {
        peer.sin_family = sa_family_t(AF_INET)
        peer.sin_addr.s_addr = inet_addr("127.0.0.1")
        peer.sin_port = port.bigEndian
        hasPeer = true
    }

    /// Sends one datagram to the last sender (or the `connect` target).
    func send(_ datagram: [UInt8]) {
        guard hasPeer else { return }
        _ = withUnsafePointer(to: &peer) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(descriptor, datagram, datagram.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
}
