import Audio
import Foundation
import TestSupport
import Testing
import Transport

/// SIGTERM while a call is running: the worker stops taking jobs (not ready) but stays alive, lets
/// the call finish, reports it as a success and exits 0. A second signal exits at once.
/// Against the LiveKit-style room server (official Python packages, aiortc as the caller).
@Suite("Worker drain on SIGTERM", .serialized, .timeLimit(.minutes(3)))
struct WorkerDrainTests {
    static let apiKey = "APIdrain"
    static let apiSecret = "drain-secret-0123456789abcdef0123456789abcd"
    /// How long the room lives: the call the drain must wait for.
    static let roomSeconds = 12.0

    struct Run {
        let server: PeerProcess
        let worker: Process
        let httpPort: Int
        let client: CurlHTTPClient
        let log: URL

        func get(_ path: String) async -> (status: Int, body: [String: Any]) {
            guard let response = try? await client.send(HTTPRequest(
                method: "GET", url: URL(string: "http://127.0.0.1:\(httpPort)\(path)")!)) else { return (0, [:]) }
            let data = (try? await response.collectBody()) ?? []
            return (response.head.status, (try? JSONSerialization.jsonObject(with: Data(data))) as? [String: Any] ?? [:])
        }

        /// Polls until the worker runs a job (its room was joined), or fails after 60 s.
        func waitForActiveJob() async throws {
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                if await get("/worker").body["active_jobs"] as? Int == 1 { return }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw PeerFailure("the worker never ran a job; log:\n\(logText.suffix(2_000))")
        }

        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    static func start() async throws -> Run {
        let directory = try InteropPeers.workspace("drain")
        let callerPath = directory.appendingPathComponent("caller.wav")
        try WAVFile.write(AudioFrame.silence(milliseconds: Int(roomSeconds * 1_000)), to: callerPath)
        let server = try PeerProcess(
            name: "livekit", executable: try InteropPython.interpreter(),
            arguments: [InteropPython.packageRoot.appendingPathComponent("Tests/Interop/peers/livekit_room_server.py").path,
                        apiKey, apiSecret, "--dispatch", "--send", callerPath.path,
                        "--record", directory.appendingPathComponent("heard.wav").path, "--duration", "\(roomSeconds)"],
            directory: directory)
        let port = try #require(try await server.readMessage(timeout: .seconds(30))["port"] as? Int)
        let httpPort = try LoopbackPort.unused()
        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: try InteropPeers.steadfast())
        worker.arguments = ["dev", "--chain", "local", "--rtc-host", "127.0.0.1", "--http-port", "\(httpPort)",
                            "--agents-directory", InteropPython.packageRoot.appendingPathComponent("agents").path]
        worker.environment = ["PATH": "/usr/bin:/bin", "LIVEKIT_URL": "http://127.0.0.1:\(port)",
                              "LIVEKIT_API_KEY": apiKey, "LIVEKIT_API_SECRET": apiSecret]
        worker.currentDirectoryURL = directory
        let log = directory.appendingPathComponent("steadfast.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        worker.standardError = try FileHandle(forWritingTo: log)
        worker.standardOutput = FileHandle.nullDevice
        try worker.run()
        return Run(server: server, worker: worker, httpPort: httpPort, client: try CurlHTTPClient(), log: log)
    }

    static func waitForExit(_ process: Process, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(100)) }
        return !process.isRunning
    }

    @Test func sigtermDuringACallLetsItFinishReportsSuccessAndExitsZero() async throws {
        let run = try await Self.start()
        defer { run.server.terminate(); if run.worker.isRunning { run.worker.interrupt(); run.worker.terminate() } }
        try await run.waitForActiveJob()
        #expect(await run.get("/ready").status == 200, "registered and taking jobs before the signal")
        let signalled = ContinuousClock.now
        run.worker.terminate()   // SIGTERM
        // Draining: alive (liveness 200), not ready, the call still running.
        try await Task.sleep(for: .seconds(1))
        #expect(run.worker.isRunning, "the worker waits for its call; log:\n\(run.logText.suffix(1_500))")
        #expect(await run.get("/health").status == 200)
        #expect(await run.get("/ready").status == 503, "a draining worker is not ready")
        #expect(await run.get("/worker").body["active_jobs"] as? Int == 1)

        let result = try #require(try await run.server.readMessage(timeout: .seconds(60))["result"] as? [String: Any])
        #expect(await Self.waitForExit(run.worker, within: .seconds(30)), "the worker exits once its call has ended")
        #expect(run.worker.terminationReason == .exit && run.worker.terminationStatus == 0,
                "exit status \(run.worker.terminationStatus); log:\n\(run.logText.suffix(1_500))")
        #expect(ContinuousClock.now - signalled > .seconds(2), "it did not just quit at the signal")
        #expect(result["job_updates"] as? [String] == ["JS_RUNNING", "JS_SUCCESS"], "\(result)")
        #expect(run.logText.contains("draining"))
    }

    @Test func aSecondSignalExitsAtOnce() async throws {
        let run = try await Self.start()
        defer { run.server.terminate(); if run.worker.isRunning { run.worker.terminate() } }
        try await run.waitForActiveJob()
        run.worker.terminate()
        try await Task.sleep(for: .milliseconds(500))
        #expect(run.worker.isRunning, "the first signal drains")
        let second = ContinuousClock.now
        run.worker.interrupt()   // SIGINT counts as the second signal
        #expect(await Self.waitForExit(run.worker, within: .seconds(5)), "the second signal exits at once")
        #expect(ContinuousClock.now - second < .seconds(5))
        #expect(run.worker.terminationStatus != 0, "an interrupted drain is not a clean exit")
    }
}
