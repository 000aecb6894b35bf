import Foundation
import Synchronization
import Testing
import TestSupport

/// `steadfast dev` with no LIVEKIT_URL: the embedded server and our worker in one process, judged by
/// an official-SDK caller (livekit 1.2.0) that must see the dispatched AGENT and hear it speak.
@Suite("steadfast dev with the embedded server", .serialized)
struct DevModeTests {
    static func binary() throws -> String {
        try SteadfastBinary.path()
    }

    @Test("dev runs the server in-process; a new room dispatches our agent, which the official SDK hears")
    func devServesAndDispatches() async throws {
        let port = try LoopbackPort.unused()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binary())
        process.arguments = ["dev", "--env-file", "/dev/null", "--port", "\(port)", "--rtc-port", "0", "--http-port", "-1"]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LIVEKIT_") }
        process.currentDirectoryURL = InteropPython.packageRoot
        let output = Pipe()
        let seen = Mutex("")
        output.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            seen.withLock { $0 += text }
        }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
            output.fileHandleForReading.readabilityHandler = nil
        }
        // Ready when it says so (it prints the URL once the port accepts); the worker registers right after.
        let ready = ContinuousClock.now + .seconds(90)
        while !seen.withLock({ $0.contains("Embedded LiveKit server: LIVEKIT_URL=ws://127.0.0.1:\(port)") }) {
            guard ContinuousClock.now < ready, process.isRunning else {
                Issue.record("steadfast dev did not report its embedded server: \(seen.withLock { $0 })")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let result = try await ServerHarness.python(
            "dev_caller.py", ["ws://127.0.0.1:\(port)", "devkey", "secret", "dev-room", "10"])
        let agent = try #require(result["agent_identity"] as? String, "\(result)")
        #expect(agent.hasPrefix("agent-AJ_"))
        #expect(result["track_from"] as? String == agent)
        // The greeting: at least half a second of audible 10 ms frames.
        #expect((result["loud_frames"] as? Int ?? 0) > 50, "\(result)")
    }
}
