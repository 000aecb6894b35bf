import Foundation
import TestSupport
import Testing

/// Issue 9: configuration the user names is checked where it enters, and bad values stop the
/// command with one line naming the file, line and field, never a crash or a silent default.
@Suite("steadfast CLI: configuration validation", .timeLimit(.minutes(5)))
struct ConfigValidationCLITests {
    static func temporaryDirectory(_ files: [String: String] = [:]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: url.appendingPathComponent(name)) }
        return url
    }

    @Test func aNamedConfigFileThatDoesNotExistIsRefused() async throws {
        let result = try await SteadfastCLITests.run(["providers", "--config", "/nonexistent/steadfast.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no such file: /nonexistent/steadfast.yaml"), "\(result.stderr)")
    }

    @Test func aResetHourOf2To63IsRefusedNotACrash() async throws {
        let directory = try Self.temporaryDirectory(["steadfast.yaml": """
            llm:
              providers:
                openai:
                  limits: { daily_reset_hour_utc: 9223372036854775807 }
            """])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await SteadfastCLITests.run(
            ["providers", "--config", directory.appendingPathComponent("steadfast.yaml").path],
            env: ["OPENAI_API_KEY": "sk-test-cli-validation-0123456789"])
        #expect(result.status == 1)
        #expect(result.stderr.contains(
            "steadfast.yaml line 4: llm.providers.openai.limits.daily_reset_hour_utc: expected a whole number from 0 to 23"),
            "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func anAgentsDirectoryThatIsMissingOrAFileIsRefused() async throws {
        let directory = try Self.temporaryDirectory(["plain.txt": "x"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = try await SteadfastCLITests.run(["console", "--text", "--agents-directory", "/nonexistent/agents"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no such directory: /nonexistent/agents"), "\(missing.stderr)")
        let file = directory.appendingPathComponent("plain.txt").path
        let notADirectory = try await SteadfastCLITests.run(["console", "--text", "--agents-directory", file])
        #expect(notADirectory.status == 1)
        #expect(notADirectory.stderr.contains("\(file) is a file, not a directory"), "\(notADirectory.stderr)")
    }

    @Test func anAliasBombAgentIsSkippedAndTheConsoleStillComesUp() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let agents = directory.appendingPathComponent("agents")
        try FileManager.default.createDirectory(at: agents, withIntermediateDirectories: true)
        var bomb = "name: bomb\ninstructions: x\nwebhooks:\n  - name: b\n    description: b\n    url: https://x.example\n"
            + "    parameters:\n      l0: &l0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<9 {
            bomb += "      l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        try Data(bomb.utf8).write(to: agents.appendingPathComponent("bomb.yaml"))
        let result = try await SteadfastCLITests.run(["console", "--text", "--agents-directory", agents.path], input: "")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("bomb.yaml: line "), "\(result.stderr)")
        #expect(result.stderr.contains("expand to more than 100000 nodes"))
    }

    /// A `.env` saved on Windows (BOM, CRLF) loses nothing: the token round-trips with its key and secret.
    @Test func aWindowsEnvFileKeepsEveryVariable() async throws {
        let directory = try Self.temporaryDirectory(["win.env": "\u{FEFF}LIVEKIT_API_KEY=\(SteadfastCLITests.apiKey)\r\n"
            + "LIVEKIT_API_SECRET=\(SteadfastCLITests.apiSecret)\r\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let env = directory.appendingPathComponent("win.env").path
        let created = try await SteadfastCLITests.run(["token", "create", "--env-file", env, "--identity", "a", "--room", "r"])
        #expect(created.status == 0, "\(created.stderr)")
        let verified = try await SteadfastCLITests.run(["token", "verify", "-"], env: SteadfastCLITests.credentials,
                                                       input: created.stdout)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("\"iss\" : \"\(SteadfastCLITests.apiKey)\""))
    }
}
