import Foundation
import TestSupport
import Testing

/// `steadfast worker check` against the scripted `/agent` endpoint of the LiveKit tests (official
/// `livekit-protocol` frames, tokens verified by `livekit-api`).
@Suite("steadfast worker check", .serialized, .timeLimit(.minutes(5)))
struct WorkerCLITests {
    static let apiKey = "APIcliWorker"
    static let apiSecret = "cli-worker-secret-0123456789abcdef0123456789"

    /// Starts the scripted `/agent` endpoint and returns it with its port.
    static func server() throws -> (Process, Int) { try ScriptedAgentServer.start(apiKey: apiKey, apiSecret: apiSecret) }

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
        #expect(result.stderr.contains("could not register: LiveKit refused the worker's token (HTTP 401): check "
                                       + "LIVEKIT_API_KEY and LIVEKIT_API_SECRET"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("wrong-secret-0123456789"), "the secret is never printed")
    }

    /// A port on 127.0.0.1 where nothing listens.
    static func closedPort() throws -> Int { try LoopbackPort.unused() }

    /// The lines of `stderr` that say something (ArgumentParser adds none of its own for a failure).
    static func lines(_ stderr: String) -> [Substring] {
        stderr.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
    }

    @Test func nothingListeningIsOneLineNamingTheCause() async throws {
        let port = try Self.closedPort()
        let result = try await SteadfastCLITests.run(["worker", "check"], env: [
            "LIVEKIT_URL": "ws://127.0.0.1:\(port)", "LIVEKIT_API_KEY": Self.apiKey, "LIVEKIT_API_SECRET": Self.apiSecret,
        ])
        #expect(result.status == 1)
        let lines = Self.lines(result.stderr)
        #expect(lines.count == 1, "one line, not a NIO dump: \(result.stderr)")
        #expect(lines.first?.hasSuffix("could not register: cannot connect to ws://127.0.0.1:\(port)/agent: connection "
                                       + "refused — is the LiveKit server running?") == true, "\(result.stderr)")
    }

    @Test func userInfoInTheURLIsRefusedInOneLine() async throws {
        let result = try await SteadfastCLITests.run(["worker", "check"], env: [
            "LIVEKIT_URL": "ws://user:hunter2@127.0.0.1:7880", "LIVEKIT_API_KEY": Self.apiKey,
            "LIVEKIT_API_SECRET": Self.apiSecret,
        ])
        #expect(result.status == 1)
        #expect(Self.lines(result.stderr).count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("has a user name or password in it"), "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2"))
    }

    /// A supervisor must see a worker that gave up as a failure (it used to exit 0).
    @Test(.timeLimit(.minutes(1)))
    func startExitsNonZeroWhenTheWorkerGivesUp() async throws {
        let (server, port) = try Self.server()
        defer { server.terminate() }
        let agents = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-agents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: agents, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: agents) }
        let result = try await SteadfastCLITests.run(
            ["start", "--http-port", "0", "--agents-directory", agents.path], env: [
                "LIVEKIT_URL": "ws://127.0.0.1:\(port)", "LIVEKIT_API_KEY": Self.apiKey,
                "LIVEKIT_API_SECRET": "wrong-secret-0123456789abcdef0123456789",
            ])
        #expect(result.status != 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("the worker gave up: LiveKit refused the worker's token (HTTP 401): check "
                                       + "LIVEKIT_API_KEY and LIVEKIT_API_SECRET"), "stderr: \(result.stderr)")
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
