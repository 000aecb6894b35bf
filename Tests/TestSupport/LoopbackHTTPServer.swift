import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 with an ephemeral port, answering every request with
/// one fixed response. For smoke tests of HTTP clients; it is not a general server.
///
/// Descriptor ownership: the accept thread alone closes the listener and each client socket.
/// `stop()` only shuts the listener down (once), so it can never close a descriptor number that
/// another test has since reused.
public final class LoopbackHTTPServer: Sendable {
    final class Shared: Sendable {
        let requests = Mutex<[String]>([])
        let stopped = Mutex(false)
    }

    public let port: UInt16
    private let listener: Int32
    private let shared = Shared()

    public init(status: Int = 200, body: String, contentType: String = "text/plain") throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let response = Array(("HTTP/1.1 \(status) OK\r\nContent-Type: \(contentType)\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)").utf8)
        let shared = self.shared
        Thread.detachNewThread { Self.serve(listener: fd, response: response, shared: shared) }
    }

    /// Request heads received so far (request line and headers).
    public var receivedRequests: [String] { shared.requests.withLock { $0 } }

    /// Stops accepting. Safe to call more than once.
    public func stop() {
        // Under the lock: the serve loop closes the listener only after seeing `stopped` under it,
        // so the number cannot be reused by another test's server before this shutdown.
        shared.stopped.withLock { stopped in
            guard !stopped else { return }
            stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
        }
    }

    deinit { stop() }

    private static func serve(listener: Int32, response: [UInt8], shared: Shared) {
        defer { close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if shared.stopped.withLock({ $0 }) { return }
                // EINTR, ECONNABORTED or a transient EMFILE: keep the listener (see `stop()`).
                usleep(1_000)
                continue
            }
            var head = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !head.ends(with: [13, 10, 13, 10]) {
                let n = read(client, &buffer, buffer.count)
                if n <= 0 { break }
                head += buffer[0..<n]
            }
            shared.requests.withLock { $0.append(String(decoding: head, as: UTF8.self)) }
            _ = response.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            close(client)
        }
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
