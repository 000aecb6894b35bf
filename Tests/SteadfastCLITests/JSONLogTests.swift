import Foundation
import Synchronization
import TestSupport
import Testing

/// `steadfast start` logs one JSON object per line, with no key or token in it even at trace level.
/// The worker runs as a user runs it, against the scripted LiveKit `/agent` endpoint (official
/// `livekit-protocol` frames, tokens verified by `livekit-api`): it registers, is assigned a job
/// (whose room it cannot join there, so the job fails and is reported), is made to reconnect, and is
/// stopped with SIGTERM.
@Suite("steadfast start JSON logs", .serialized, .timeLimit(.minutes(2)))
struct JSONLogTests {
    static let apiSecret = "json-log-secret-0123456789abcdef0123456789"
    static let openAIKey = "sk-jsonlogtest-0123456789abcdefghijklmnop"

    @Test func startLogsJSONLinesWithoutSecretsAtTraceLevel() async throws {
        let (server, port) = try ScriptedAgentServer.start(apiKey: WorkerCLITests.apiKey, apiSecret: Self.apiSecret, lifetime: 100)
        defer { if server.isRunning { server.terminate() } }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("agents"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try SteadfastCLITests.binary())
        process.arguments = ["start", "--http-port", "-1", "--agents-directory", "agents", "--rtc-host", "127.0.0.1"]
        process.currentDirectoryURL = directory
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path,
                               "LIVEKIT_URL": "ws://127.0.0.1:\(port)", "LIVEKIT_API_KEY": WorkerCLITests.apiKey,
                               "LIVEKIT_API_SECRET": Self.apiSecret, "OPENAI_API_KEY": Self.openAIKey,
                               "STEADFAST_LOG_LEVEL": "trace"]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        let collected = Mutex(Data())
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            collected.withLock { $0.append(chunk) }
        }
        try process.run()

        // Until the job has been reported and the worker registered again (the scripted session's end).
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, process.isRunning {
            let text = String(decoding: collected.withLock { $0 }, as: UTF8.self)
            if text.components(separatedBy: "Registered with LiveKit").count > 2 || text.contains("\"Job failed") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(500))
        process.terminate()  // SIGTERM: a drain, then exit
        try await offThePool { process.waitUntilExit() }
        stderr.fileHandleForReading.readabilityHandler = nil
        let rest = stderr.fileHandleForReading.readDataToEndOfFile()
        let output = String(decoding: collected.withLock { $0 } + rest, as: UTF8.self)

        #expect(process.terminationStatus == 0, "a drained worker exits 0: \(output.suffix(2_000))")
        let lines = output.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count > 5, "\(output)")
        var levels = Set<String>()
        var jobLines = 0
        for line in lines {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                Issue.record("not a JSON object: \(line)")
                continue
            }
            for key in ["time", "level", "logger", "message"] { #expect(object[key] is String, "no \(key) in \(line)") }
            if let level = object["level"] as? String { levels.insert(level) }
            if let metadata = object["metadata"] as? [String: Any], metadata["job.id"] as? String == "AJ_py" { jobLines += 1 }
            if let time = object["time"] as? String { #expect(time.hasSuffix("Z") && time.count == 24, "RFC 3339 UTC ms: \(time)") }
        }
        #expect(levels.isSubset(of: ["trace", "debug", "info", "notice", "warning", "error", "critical"]))
        #expect(levels.contains("debug") || levels.contains("trace"), "trace level logs below info: \(levels)")
        #expect(jobLines > 0, "the job's lines carry job.id as metadata")
        for secret in [Self.apiSecret, Self.openAIKey, "room-token-for-AJ_py", "eyJ"] {
            #expect(!output.contains(secret), "\(secret) appears in the logs")
        }
    }
}
