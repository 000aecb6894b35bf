import AgentWorker
import Foundation
import LiveKit
import Logging
import SteadfastConfig
import Synchronization
import TestSupport
import Testing

/// The process `steadfast start` runs, built in-process: the same `WorkerProcess` group (HTTP server
/// and worker) against the scripted LiveKit `/agent` endpoint (official `livekit-protocol` frames,
/// tokens checked by `livekit-api`). Signals are left alone; `shutDownGracefully()` is what the
/// first SIGTERM does.
@Suite("WorkerProcess", .serialized, .timeLimit(.minutes(2)))
struct WorkerProcessTests {
    static let apiKey = "APIprocess"
    static let apiSecret = "process-secret-0123456789abcdef0123456789ab"
    static let quiet = Logger(label: "process") { _ in SwiftLogNoOpLogHandler() }

    static func status(_ path: String, port: Int) async -> Int {
        (try? await WorkerHTTPServerTests.get(path, port: port).status) ?? 0
    }

    /// Waits (up to 20 s) until `path` answers `expected`.
    static func waitFor(_ path: String, port: Int, toAnswer expected: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while await status(path, port: port) != expected {
            guard ContinuousClock.now < deadline else {
                Issue.record("\(path) never answered \(expected)")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The scripted server's result: it prints it once a second registration ends its session.
    static func result(of server: Process, port: Int) async throws -> [String: Any] {
        let check = try WorkerDriver(url: URL(string: "ws://127.0.0.1:\(port)")!, apiKey: apiKey, apiSecret: Secret(apiSecret),
                                     configuration: WorkerConfiguration(maximumReconnectAttempts: 0), logger: quiet)
        let running = Task { await check.run() }
        for await event in check.events {
            if case .registered = event { check.drain() }
        }
        await running.value
        let output = try #require(server.standardOutput as? Pipe).fileHandleForReading
        let data = try await offThePool { output.readDataToEndOfFile() }
        for line in data.split(separator: 10) {
            if let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
               let result = object["result"] as? [String: Any] { return result }
        }
        throw NoResult()
    }

    struct NoResult: Error, CustomStringConvertible {
        var description: String { "agent_server.py printed no result" }
    }

    @Test func aGracefulShutdownDrainsTheRunningJobReportsItAndEnds() async throws {
        let (server, port) = try ScriptedAgentServer.start(apiKey: Self.apiKey, apiSecret: Self.apiSecret, lifetime: 100)
        defer { if server.isRunning { server.terminate() } }
        let url = URL(string: "ws://127.0.0.1:\(port)")!
        let (started, startedSink) = AsyncStream<WorkerJob>.makeStream()
        let (gate, opener) = AsyncStream<Void>.makeStream()
        let service = try AgentWorkerService(url: url, apiKey: Self.apiKey, apiSecret: Secret(Self.apiSecret),
                                             agentName: "assistant", logger: Self.quiet) { job, _ in
            startedSink.yield(job)
            // Runs until the test opens the gate; cancelled (a drain that did not wait), it fails.
            for await _ in gate { break }
            try Task.checkCancellation()
        }
        let process = try await WorkerProcess(
            service: service, options: .init(httpPort: 0, drainTimeout: .seconds(60), handlesSignals: false), logger: Self.quiet)
        let httpPort = try #require(process.httpPort)
        let ended = Mutex(false)
        let running = Task {
            let outcome = await process.run()
            ended.withLock { $0 = true }
            return outcome
        }

        var jobs = started.makeAsyncIterator()
        let job = try #require(await jobs.next())
        #expect(job == WorkerJob(id: "AJ_py", roomName: "demo", agentName: "assistant", url: url, token: "room-token-for-AJ_py"))
        #expect(await Self.status("/ready", port: httpPort) == 200, "registered and taking jobs")

        await process.shutDownGracefully()
        try await Self.waitFor("/ready", port: httpPort, toAnswer: 503)
        #expect(await Self.status("/health", port: httpPort) == 200, "draining is alive")
        #expect(try await WorkerHTTPServerTests.get("/worker", port: httpPort).body.contains(#""active_jobs" : 1"#))
        #expect(!ended.withLock { $0 }, "the process waits for its job")

        opener.finish()
        #expect(await running.value == .drained)
        #expect(await Self.status("/health", port: httpPort) == 0, "the HTTP server closed with the process")
        let result = try await Self.result(of: server, port: port)
        #expect(result["job_updates"] as? [String] == ["JS_RUNNING", "JS_SUCCESS"], "\(result)")
        #expect((result["availability"] as? [String: Any])?["available"] as? Bool == true)
    }

    @Test func aDrainThatOutlastsItsDeadlineCancelsTheJob() async throws {
        let (server, port) = try ScriptedAgentServer.start(apiKey: Self.apiKey, apiSecret: Self.apiSecret, lifetime: 100)
        defer { if server.isRunning { server.terminate() } }
        let (started, startedSink) = AsyncStream<Void>.makeStream()
        let service = try AgentWorkerService(url: URL(string: "ws://127.0.0.1:\(port)")!, apiKey: Self.apiKey,
                                             apiSecret: Secret(Self.apiSecret), agentName: "assistant", logger: Self.quiet) { _, _ in
            startedSink.yield()
            // Never ends by itself.
            let (never, _) = AsyncStream<Void>.makeStream()
            for await _ in never {}
            try Task.checkCancellation()
        }
        let process = try await WorkerProcess(
            service: service, options: .init(httpPort: nil, drainTimeout: .milliseconds(500), handlesSignals: false),
            logger: Self.quiet)
        let running = Task { await process.run() }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        await process.shutDownGracefully()
        #expect(await running.value == .drainTimedOut)
    }

    @Test func givingUpEndsTheProcessWithTheReason() async throws {
        let (server, port) = try ScriptedAgentServer.start(apiKey: Self.apiKey, apiSecret: Self.apiSecret, lifetime: 100)
        defer { server.terminate() }
        let service = try AgentWorkerService(url: URL(string: "ws://127.0.0.1:\(port)")!, apiKey: Self.apiKey,
                                             apiSecret: Secret("wrong-secret-0123456789abcdef0123456789"),
                                             agentName: "assistant", logger: Self.quiet) { _, _ in }
        let process = try await WorkerProcess(service: service, options: .init(httpPort: 0, handlesSignals: false),
                                              logger: Self.quiet)
        let outcome = await process.run()
        guard case .gaveUp(let reason) = outcome else {
            Issue.record("the worker did not give up: \(outcome)")
            return
        }
        #expect(reason.contains("HTTP 401"), "\(reason)")
        #expect(await Self.status("/health", port: try #require(process.httpPort)) == 0, "the HTTP server closed")
    }

    @Test func aTakenHTTPPortIsOneLine() async throws {
        let first = try await WorkerHTTPServer(host: "127.0.0.1", port: 0,
                                               responder: .init(healthy: { true }, ready: { true }, worker: { Data() },
                                                                status: { Data() }),
                                               logger: Self.quiet)
        defer { Task { await first.stop() } }
        let service = try AgentWorkerService(url: URL(string: "ws://127.0.0.1:1")!, apiKey: Self.apiKey,
                                             apiSecret: Secret(Self.apiSecret), agentName: "", logger: Self.quiet) { _, _ in }
        let error = await #expect(throws: WorkerProcess.StartFailure.self) {
            _ = try await WorkerProcess(service: service, options: .init(httpPort: first.port, handlesSignals: false),
                                        logger: Self.quiet)
        }
        #expect(error?.description.hasPrefix("cannot serve HTTP on 127.0.0.1:\(first.port): ") == true)
        #expect(error?.description.contains("\n") == false)
    }
}
