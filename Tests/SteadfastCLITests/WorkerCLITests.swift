import Foundation
import TestSupport
import Testing

/// `steadfast worker check` against the scripted `/agent` endpoint of the LiveKit tests (official
/// `livekit-protocol` frames, tokens verified by `livekit-api`).
@Suite("steadfast worker check", .serialized)
struct WorkerCLITests {
    static let apiKey = "APIcliWorker"
    static let apiSecret = "cli-worker-secret-0123456789abcdef0123456789"

    /// Starts the script and returns it with the port it listens on.
    static func server() throws -> (Process, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try InteropPython.interpreter())
        process.arguments = [InteropPython.packageRoot.appendingPathComponent("Tests/LiveKitTests/python/agent_server.py").path,
                             apiKey, apiSecret]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(10) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        let object = try JSONSerialization.jsonObject(with: line.prefix { $0 != 10 }) as? [String: Any]
        guard let port = object?["port"] as? Int else { throw CocoaError(.fileReadCorruptFile) }
        return (process, port)
    }

    @Test func registersAndReportsTheWorkerID() async throws {
        let (server, port) = try Self.server()
        defer { server.terminate() }
        let result = try await SteadfastCLITests.run(["worker", "check", "--agent-name", "assistant"], env: [
            "LIVEKIT_URL": "ws://127.0.0.1:\(port)", "LIVEKIT_API_KEY": Self.apiKey, "LIVEKIT_API_SECRET": Self.apiSecret,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("Registered with ws://127.0.0.1:\(port) as worker AW_py1 (LiveKit scripted-1.0), "
                                       + "agent name \"assistant\""))
    }

    @Test func aWrongSecretIsExplained() async throws {
        let (server, port) = try Self.server()
        defer { server.terminate() }
        let result = try await SteadfastCLITests.run(["worker", "check"], env: [
            "LIVEKIT_URL": "ws://127.0.0.1:\(port)", "LIVEKIT_API_KEY": Self.apiKey,
            "LIVEKIT_API_SECRET": "wrong-secret-0123456789abcdef0123456789",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("could not register: the server refused the WebSocket upgrade"))
        #expect(!result.stderr.contains("wrong-secret-0123456789"), "the secret is never printed")
    }

    @Test func aMissingURLNamesTheVariable() async throws {
        let result = try await SteadfastCLITests.run(["worker", "check"], env: [
            "LIVEKIT_API_KEY": Self.apiKey, "LIVEKIT_API_SECRET": Self.apiSecret,
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("LIVEKIT_URL is not set, and `steadfast worker check` needs it."))
    }
}
