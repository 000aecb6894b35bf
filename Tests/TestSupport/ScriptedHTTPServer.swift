import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server on 127.0.0.1 (ephemeral port) that answers each request by playing a
/// `ScriptedResponse`: heads, body chunks, pauses, stalls and abrupt cuts, on real sockets.
///
/// One accept thread plus one thread per connection; connections are kept alive, so tests can
/// prove connection reuse through `connectionCount`. `stop()` (also run on deinit) closes
/// everything and releases any stalled or pausing script at once.
public final class ScriptedHTTPServer: @unchecked Sendable {
    // SAFETY: both stored properties are immutable `let`s and `Core` is Sendable (its mutable
    // state sits behind a Mutex), so the compiler could check this; the contract spells it
    // `@unchecked` and it stays that way for API stability.
    public let port: UInt16
    private let core: Core

    /// Serves every request with whatever `handler` returns for it.
    public init(handler: @escaping @Sendable (RecordedRequest) -> ScriptedResponse) throws {
        core = try Core(handler: handler)
        port = core.port
        let core = self.core
        let thread = Thread { core.acceptLoop() }
        thread.name = "ScriptedHTTPServer.accept"
        thread.start()
    }

    /// Serves `responses` in order, repeating the last one once they run out.
    public convenience init(responses: [ScriptedResponse]) throws {
        let next = Mutex(0)
        let responses = responses.isEmpty ? [ScriptedResponse.json("{}")] : responses
        try self.init { _ in
            let index = next.withLock { index in
                defer { index += 1 }
                return min(index, responses.count - 1)
            }
            return responses[index]
        }
    }

    deinit { core.stop() }

    /// "http://127.0.0.1:PORT"
    public var baseURL: URL {
        // The string is built from a number, so it always parses; fall back instead of force-unwrapping anyway.
        URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
    }

    /// Requests received so far, in arrival order.
    public var requests: [RecordedRequest] { core.state.withLock { $0.requests } }
    /// TCP connections accepted so far.
    public var connectionCount: Int { core.state.withLock { $0.accepted } }
    /// Connections the client closed (or reset) while the server was reading or stalling.
    public var clientClosedCount: Int { core.state.withLock { $0.clientClosed } }

    /// Waits (polling, up to `timeout`) until at least `count` requests have arrived: the point at
    /// which a call is known to be in flight, without guessing how long that takes with a sleep.
    /// The timeout only bounds a failure; it is generous for a loaded 2-core machine.
    public func waitForRequests(count: Int = 1, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if requests.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return requests.count >= count
    }

    /// Waits (polling, up to `timeout`) until the client has closed at least `count` connections.
    /// The timeout only bounds a failure (a passing test returns as soon as the close is seen), so
    /// it is generous for a loaded 2-core machine.
    public func waitForClientClose(count: Int = 1, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if clientClosedCount >= count { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return clientClosedCount >= count
    }

    /// Closes the listener and every connection; stalled and pausing scripts return at once.
    public func stop() { core.stop() }
}

extension ScriptedHTTPServer {
    /// The shared state the server threads hold (so the outer object can deinit and stop them).
    final class Core: Sendable {
        struct State {
            var requests: [RecordedRequest] = []
            var accepted = 0
            var clientClosed = 0
            var connections: Set<Int32> = []
            var stopped = false
        }

        let port: UInt16
        let state = Mutex(State())
        private let listener: Int32
        /// Closing `stopWrite` makes `stopRead` readable forever: the one signal every waiting thread polls.
        private let stopRead: Int32
        private let stopWrite: Int32
        private let handler: @Sendable (RecordedRequest) -> ScriptedResponse

        init(handler: @escaping @Sendable (RecordedRequest) -> ScriptedResponse) throws {
            self.handler = handler
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
            (stopRead, stopWrite) = (fds[0], fds[1])
            (listener, port) = try Self.listen()
        }

        private static func listen() throws -> (Int32, UInt16) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.EMFILE) }
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0, Glibc.listen(fd, 512) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            return (fd, UInt16(bigEndian: address.sin_port))
        }

        func stop() {
            // shutdown, not close: each fd is closed by the thread that owns it. Both shutdowns happen
            // under the lock, in the same step that marks the server stopped: the accept loop and the
            // connection threads only close their fds after seeing `stopped` (or leaving the set) under
            // that lock, so no number can be closed, reused by another test's server and then shut
            // down here (which refused that other server's connections).
            let stopping = state.withLock { state in
                guard !state.stopped else { return false }
                state.stopped = true
                shutdown(listener, Int32(SHUT_RDWR))
                for fd in state.connections { shutdown(fd, Int32(SHUT_RDWR)) }
                return true
            }
            if stopping { close(stopWrite) }
        }

        func acceptLoop() {
            defer { close(listener) }
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    if state.withLock({ $0.stopped }) { return }
                    // Transient (EMFILE, ENOBUFS): keep the listener. Returning would close it while
                    // `stop()` may still shut down its number, which another test could own by then.
                    usleep(1_000)
                    continue
                }
                let admitted = state.withLock { state in
                    guard !state.stopped else { return false }
                    state.accepted += 1
                    state.connections.insert(client)
                    return true
                }
                guard admitted else { close(client); return }
                var yes: Int32 = 1
                setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
                let thread = Thread { [self] in self.serve(client) }
                thread.name = "ScriptedHTTPServer.connection"
                thread.start()
            }
        }

        // MARK: One connection

        private func serve(_ fd: Int32) {
            var connection = Connection(fd: fd, stopRead: stopRead)
            defer {
                // Leave the set before closing, so `stop()` never shuts down a reused descriptor number.
                state.withLock { state in
                    state.connections.remove(fd)
                    if connection.peerClosed { state.clientClosed += 1 }
                }
                close(fd)
            }
            while let request = connection.readRequest() {
                state.withLock { $0.requests.append(request) }
                switch play(handler(request), on: &connection) {
                case .keepAlive: continue
                case .closed, .cut: return
                }
            }
        }

        private enum Outcome { case keepAlive, closed, cut }

        private func play(_ response: ScriptedResponse, on connection: inout Connection) -> Outcome {
            let contentLength = response.actions.reduce(0) { sum, action in
                if case .body(let bytes) = action { return sum + bytes.count }
                return sum
            }
            var headSent = false
            for action in response.actions {
                switch action {
                case .head(let status, let headers):
                    var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
                    for (name, value) in headers { text += "\(name): \(value)\r\n" }
                    text += response.chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: \(contentLength)\r\n"
                    text += "\r\n"
                    guard connection.send(Array(text.utf8)) else { return .closed }
                    headSent = true
                case .body(let bytes):
                    guard !bytes.isEmpty else { continue }
                    let framed = response.chunked
                        ? Array("\(String(bytes.count, radix: 16))\r\n".utf8) + bytes + [13, 10] : bytes
                    guard connection.send(framed) else { return .closed }
                case .pause(let duration):
                    guard connection.pause(duration) else { return .closed }
                case .stall:
                    connection.stall()
                    return .closed
                case .cut:
                    connection.armReset()
                    return .cut
                }
            }
            if headSent && response.chunked { guard connection.send(Array("0\r\n\r\n".utf8)) else { return .closed } }
            return headSent ? .keepAlive : .closed
        }

        static func reason(_ status: Int) -> String {
            switch status {
            case 200: "OK"
            case 201: "Created"
            case 204: "No Content"
            case 400: "Bad Request"
            case 401: "Unauthorized"
            case 404: "Not Found"
            case 429: "Too Many Requests"
            case 500: "Internal Server Error"
            case 503: "Service Unavailable"
            default: "Status"
            }
        }
    }
}
