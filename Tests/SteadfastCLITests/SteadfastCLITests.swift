import Foundation
import TestSupport
import Testing

/// The `steadfast` binary, run as a user runs it: exit codes, stdout, stderr.
@Suite("steadfast CLI", .timeLimit(.minutes(5)))
struct SteadfastCLITests {
    static let apiKey = "APIcliTest"
    static let apiSecret = "cli-secret-9f8e7d6c5b4a39281706"

    /// `$STEADFAST_BIN`, else the `steadfast` built next to this test bundle.
    static func binary() throws -> String {
        try SteadfastBinary.path()
    }

    /// Runs in an empty temporary directory so a developer's own .env cannot change the outcome.
    static func run(_ arguments: [String], env: [String: String] = [:], input: String = "") async throws -> SubprocessResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["PATH": "/usr/bin:/bin"].merging(env) { $1 }
        let result = try await Subprocess.run(try binary(), arguments, input: input, environment: environment, currentDirectory: directory)
        #expect(!result.stdout.contains(apiSecret) && !result.stderr.contains(apiSecret), "the API secret was printed")
        return result
    }

    static let credentials = ["LIVEKIT_API_KEY": apiKey, "LIVEKIT_API_SECRET": apiSecret]

    @Test func versionFlag() async throws {
        let result = try await Self.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    @Test func createThenVerifyRoundTrips() async throws {
        let created = try await Self.run(
            ["token", "create", "--identity", "caller", "--room", "demo", "--name", "Caller", "--agent",
             "--ttl", "15m", "--no-can-publish", "--can-update-own-metadata", "--attribute", "lang=fr",
             "--attribute", "tier=gold=1", "--dispatch-agent", "assistant", "--metadata", "{\"a\":1}"],
            env: Self.credentials)
        #expect(created.status == 0, "stderr: \(created.stderr)")
        let jwt = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(jwt.split(separator: ".").count == 3)

        let verified = try await Self.run(["token", "verify", jwt], env: Self.credentials)
        #expect(verified.status == 0, "stderr: \(verified.stderr)")
        let claims = try #require(try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [String: Any])
        #expect(claims["sub"] as? String == "caller")
        #expect(claims["iss"] as? String == Self.apiKey)
        #expect(claims["kind"] as? String == "agent")
        #expect(claims["name"] as? String == "Caller")
        #expect(claims["metadata"] as? String == "{\"a\":1}")
        #expect(claims["attributes"] as? [String: String] == ["lang": "fr", "tier": "gold=1"])
        let exp = try #require(claims["exp"] as? Int), nbf = try #require(claims["nbf"] as? Int)
        #expect(exp - nbf == 900)
        let video = try #require(claims["video"] as? [String: Any])
        #expect(video["room"] as? String == "demo")
        #expect(video["canPublish"] as? Bool == false)
        #expect(video["canUpdateOwnMetadata"] as? Bool == true)
        #expect(video["agent"] as? Bool == true)
        let agents = (claims["roomConfig"] as? [String: Any])?["agents"] as? [[String: Any]]
        #expect(agents?.first?["agentName"] as? String == "assistant")
    }

    @Test func verifyReadsTheTokenFromStandardInput() async throws {
        let jwt = try await Self.run(["token", "create", "--identity", "a", "--room", "r"], env: Self.credentials).stdout
        let verified = try await Self.run(["token", "verify", "-"], env: Self.credentials, input: jwt)
        #expect(verified.status == 0)
        #expect(verified.stdout.contains("\"sub\" : \"a\""))
    }

    @Test func missingSecretNamesTheVariableAndCommand() async throws {
        let result = try await Self.run(["token", "create", "--identity", "a", "--room", "r"], env: ["LIVEKIT_API_KEY": "k"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("LIVEKIT_API_SECRET is not set, and `steadfast token create` needs it."))
    }

    @Test(arguments: [
        ("not-a-token", "token refused (malformed)"),
        ("eyJhbGciOiJub25lIn0.e30.", "token refused (unsupportedAlgorithm)"),
    ])
    func badTokensGetAClearError(token: String, message: String) async throws {
        let result = try await Self.run(["token", "verify", token], env: Self.credentials)
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }

    @Test func tokenSignedWithAnotherSecretIsRefused() async throws {
        let jwt = try await Self.run(["token", "create", "--identity", "a", "--room", "r"],
                               env: ["LIVEKIT_API_KEY": Self.apiKey, "LIVEKIT_API_SECRET": "a-different-secret-123"]).stdout
        let result = try await Self.run(["token", "verify", jwt.trimmingCharacters(in: .whitespacesAndNewlines)], env: Self.credentials)
        #expect(result.status == 1)
        #expect(result.stderr.contains("token refused (badSignature)"))
    }

    @Test(arguments: [
        (["--ttl", "5x"], "--ttl 5x is not a duration"),
        (["--attribute", "novalue"], "--attribute novalue must be key=value"),
        (["--can-publish-source", "hologram"], "--can-publish-source hologram is not one of"),
    ])
    func invalidOptionsAreExplained(extra: [String], message: String) async throws {
        let result = try await Self.run(["token", "create", "--identity", "a", "--room", "r"] + extra, env: Self.credentials)
        #expect(result.status == 64, "usage errors exit with EX_USAGE")
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }

    @Test func envFileSuppliesCredentialsAndAMissingOneIsAnError() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString).env")
        try "LIVEKIT_API_KEY=\(Self.apiKey)\nLIVEKIT_API_SECRET=\"\(Self.apiSecret)\"\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let created = try await Self.run(["token", "create", "--identity", "a", "--room", "r", "--env-file", file.path])
        #expect(created.status == 0, "stderr: \(created.stderr)")
        let missing = try await Self.run(["token", "create", "--identity", "a", "--room", "r", "--env-file", "/nonexistent.env"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("env file /nonexistent.env does not exist"))
    }
}
