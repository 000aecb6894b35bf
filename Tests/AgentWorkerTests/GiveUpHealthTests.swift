import AgentWorker
import Foundation
import Logging
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// The README: `/health` is 200 while the worker can work (also while connecting) and 503 once it
/// gave up. A real `AgentWorkerService` against the scripted LiveKit `/agent` endpoint (official
/// `livekit-protocol` frames, tokens verified by `livekit-api`), which refuses a wrong secret with 401.
@Suite("/health after a real give-up", .serialized, .timeLimit(.minutes(1)))
struct GiveUpHealthTests {
    static let apiKey = "APIcliWorker"
    static let apiSecret = "cli-worker-secret-0123456789abcdef0123456789"

    /// Starts the scripted `/agent` endpoint and returns it with its port.
    static func server() throws -> (Process, Int) { try ScriptedAgentServer.start(apiKey: apiKey, apiSecret: apiSecret) }

    @Test func healthIs503AfterTheServerRefusesTheWorker() async throws {
        let (python, port) = try Self.server()
        defer { python.terminate() }
        let quiet = Logger(label: "give-up") { _ in SwiftLogNoOpLogHandler() }
        let service = try AgentWorkerService(
            url: URL(string: "ws://127.0.0.1:\(port)")!, apiKey: Self.apiKey,
            apiSecret: Secret("wrong-secret-0123456789abcdef0123456789"), agentName: "assistant", hosts: ["127.0.0.1"],
            logger: quiet) { _ in throw CancellationError() }
        let server = try await WorkerHTTPServer(
            host: "127.0.0.1", port: 0,
            responder: .init(healthy: { await service.isHealthy }, ready: { await service.isReady },
                             worker: { Data() }, status: { Data() }),
            logger: quiet)
        defer { Task { await server.stop() } }

        #expect(try await WorkerHTTPServerTests.get("/health", port: server.port).status == 200,
                "alive while it has not connected yet")
        let termination = await service.run()
        guard case .gaveUp(let reason) = termination else {
            Issue.record("the worker did not give up: \(termination)")
            return
        }
        #expect(reason.contains("401"), "\(reason)")
        #expect(try await WorkerHTTPServerTests.get("/health", port: server.port).status == 503)
        #expect(try await WorkerHTTPServerTests.get("/ready", port: server.port).status == 503)
    }
}
