import AgentWorker
import Foundation
import Logging
import Synchronization
import Testing
import Transport

/// The worker's health/status server over real loopback HTTP (the libcurl client as the prober).
@Suite("WorkerHTTPServer")
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
            responder: .init(healthy: { healthy.withLock { $0 } },
                             worker: { Data(#"{"agent_name":"assistant","active_jobs":2}"#.utf8) },
                             status: { Data(#"{"chains":[]}"#.utf8) }),
            logger: Logger(label: "test"))
        defer { Task { await server.stop() } }
        #expect(server.port > 0)

        let health = try await Self.get("/health", port: server.port)
        #expect(health.status == 200 && health.body == "OK\n")
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
                                               responder: .init(healthy: { true }, worker: { Data() }, status: { Data() }),
                                               logger: Logger(label: "test"))
        defer { Task { await first.stop() } }
        await #expect(throws: (any Error).self) {
            _ = try await WorkerHTTPServer(host: "127.0.0.1", port: first.port,
                                           responder: .init(healthy: { true }, worker: { Data() }, status: { Data() }),
                                           logger: Logger(label: "test"))
        }
    }
}
