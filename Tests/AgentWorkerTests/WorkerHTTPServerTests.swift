import AgentWorker
import Foundation
import Logging
import Synchronization
import Testing
import Transport

/// The worker's health/status server over real loopback HTTP (the libcurl client as the prober).
@Suite("WorkerHTTPServer", .timeLimit(.minutes(2)))
struct WorkerHTTPServerTests {
    static func get(_ path: String, port: Int, method: String = "GET") async throws -> (status: Int, body: String, type: String?) {
        let client = try CurlHTTPClient()
        let response = try await client.send(HTTPRequest(method: method, url: URL(string: "http://127.0.0.1:\(port)\(path)")!))
        let body = String(decoding: try await response.collectBody(), as: UTF8.self)
        return (response.head.status, body, response.head.headers["content-type"])
    }

    @Test func probesWorkerInfoStatusAndUnknownPaths() async throws {
        let healthy = Mutex(true)
        let server = try await WorkerHTTPServer(
            host: "127.0.0.1", port: 0,
            responder: .init(healthy: { healthy.withLock { $0 } }, ready: { false },
                             worker: { Data(#"{"agent_name":"assistant","active_jobs":2}"#.utf8) },
                             status: { Data(#"{"chains":[]}"#.utf8) }),
            logger: Logger(label: "test"))
        defer { Task { await server.stop() } }
        #expect(server.port > 0)

        let health = try await Self.get("/health", port: server.port)
        #expect(health.status == 200 && health.body == "OK\n")
        #expect(try await Self.get("/ready", port: server.port).status == 503, "alive but not registered: not ready")
        #expect(try await Self.get("/", port: server.port).status == 200)
        healthy.withLock { $0 = false }
        #expect(try await Self.get("/health", port: server.port).status == 503, "a worker that gave up fails its probe")

        let worker = try await Self.get("/worker", port: server.port)
        #expect(worker.status == 200 && worker.type == "application/json")
        #expect(worker.body.contains(#""active_jobs":2"#))
        let status = try await Self.get("/status?pretty=1", port: server.port)
        #expect(status.status == 200 && status.body == #"{"chains":[]}"#)
        #expect(try await Self.get("/nope", port: server.port).status == 404)
        #expect(try await Self.get("/health", port: server.port, method: "POST").status == 405)
    }

    @Test func aTakenPortIsAnError() async throws {
        let first = try await WorkerHTTPServer(host: "127.0.0.1", port: 0,
                                               responder: .init(healthy: { true }, ready: { true }, worker: { Data() }, status: { Data() }),
                                               logger: Logger(label: "test"))
        defer { Task { await first.stop() } }
        await #expect(throws: (any Error).self) {
            _ = try await WorkerHTTPServer(host: "127.0.0.1", port: first.port,
                                           responder: .init(healthy: { true }, ready: { true }, worker: { Data() }, status: { Data() }),
                                           logger: Logger(label: "test"))
        }
    }

    @Test func readinessFollowsRegistrationWhileLivenessStaysUp() async throws {
        let ready = Mutex(false)
        let server = try await WorkerHTTPServer(
            host: "127.0.0.1", port: 0,
            responder: .init(healthy: { true }, ready: { ready.withLock { $0 } }, worker: { Data() }, status: { Data() }),
            logger: Logger(label: "test"))
        defer { Task { await server.stop() } }
        #expect(try await Self.get("/ready", port: server.port).status == 503)
        #expect(try await Self.get("/health", port: server.port).status == 200, "reconnecting is no reason to restart")
        ready.withLock { $0 = true }
        let answer = try await Self.get("/ready", port: server.port)
        #expect(answer.status == 200 && answer.body == "ready\n")
    }

    // MARK: Limits

    /// Opens `count` TCP connections to 127.0.0.1:`port` that never send anything (on a thread of
    /// their own: blocking connects stay off the cooperative pool).
    static func idleConnections(_ count: Int, port: Int) async -> [Int32] {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var sockets: [Int32] = []
                for _ in 0..<count {
                    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                    guard fd >= 0 else { continue }
                    var address = sockaddr_in()
                    address.sin_family = sa_family_t(AF_INET)
                    address.sin_port = UInt16(port).bigEndian
                    address.sin_addr.s_addr = inet_addr("127.0.0.1")
                    let connected = withUnsafePointer(to: &address) { pointer in
                        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                        }
                    }
                    if connected { sockets.append(fd) } else { close(fd) }
                }
                continuation.resume(returning: sockets)
            }
        }
    }

    /// How many of `sockets` the server has not closed yet (a closed one reads EOF or a reset).
    static func stillOpen(_ sockets: [Int32]) -> Int {
        var fds = sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        _ = poll(&fds, nfds_t(fds.count), 0)
        return fds.filter { $0.revents == 0 }.count
    }

    /// Half-open and idle connections used to pile up until the process ran out of descriptors.
    @Test(.timeLimit(.minutes(1)))
    func idleConnectionsAreCappedAndTimedOutWhileProbesKeepAnswering() async throws {
        let limits = WorkerHTTPServer.Limits(requestTimeout: .seconds(3), maximumConnections: 64)
        let server = try await WorkerHTTPServer(
            host: "127.0.0.1", port: 0,
            responder: .init(healthy: { true }, ready: { true }, worker: { Data() }, status: { Data() }),
            limits: limits, logger: Logger(label: "test"))
        defer { Task { await server.stop() } }
        let sockets = await Self.idleConnections(500, port: server.port)
        defer { sockets.forEach { close($0) } }
        #expect(sockets.count == 500)
        // The server accepts asynchronously; wait until it holds a full table of idle connections.
        let filled = ContinuousClock.now + .seconds(20)
        while server.openConnections < 64 && ContinuousClock.now < filled { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.openConnections == 64, "the cap holds")

        // A probe still gets in (it evicts the oldest idle connection) while the idle ones are held.
        let health = try await Self.get("/health", port: server.port)
        #expect(health.status == 200)
        #expect(server.openConnections <= 64)
        #expect(Self.stillOpen(sockets) > 0, "the probe answered while idle connections were still held")

        // Connections that never send a request are closed after the timeout.
        let deadline = ContinuousClock.now + .seconds(30)
        while Self.stillOpen(sockets) > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(Self.stillOpen(sockets) == 0, "every idle connection was closed")
        #expect(server.openConnections == 0)
        #expect(try await Self.get("/health", port: server.port).status == 200)
    }

    @Test(.timeLimit(.minutes(1)))
    func anOversizedRequestHeadIsRefused() async throws {
        let server = try await WorkerHTTPServer(
            host: "127.0.0.1", port: 0,
            responder: .init(healthy: { true }, ready: { true }, worker: { Data() }, status: { Data() }),
            logger: Logger(label: "test"))
        defer { Task { await server.stop() } }
        let request = "GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: \(String(repeating: "a", count: 40_000))\r\n"
            + "Connection: close\r\n\r\n"
        let answer: String = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let sockets = (0..<1).map { _ in socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
                let fd = sockets[0]
                defer { close(fd) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = UInt16(server.port).bigEndian
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                _ = withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                _ = request.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
                var received = [UInt8](repeating: 0, count: 4096)
                let count = recv(fd, &received, received.count, 0)
                continuation.resume(returning: count > 0 ? String(decoding: received.prefix(count), as: UTF8.self) : "")
            }
        }
        #expect(!answer.hasPrefix("HTTP/1.1 200"), "a 40 KB header is refused, not served: \(answer.prefix(40))")
    }
}
