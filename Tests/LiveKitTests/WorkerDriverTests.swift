import Foundation
import LiveKitProtocol
import SteadfastConfig
import Synchronization
import TestSupport
import Testing
@testable import LiveKit

/// The worker over a real WebSocket against a scripted `/agent` endpoint written with the official
/// Python packages (`livekit-protocol` frames, `livekit-api` token verification).
@Suite("WorkerDriver against a scripted /agent server", .serialized, .timeLimit(.minutes(3)))
struct WorkerDriverTests {
    static let apiKey = "APIworkerTest"
    static let apiSecret = "worker-test-secret-0123456789abcdef0123456789"

    /// The script as a child process: its first stdout line is the port, its last the result.
    final class ScriptedServer: JSONLinesScript, @unchecked Sendable {
        init(arguments: [String]) throws { try super.init(script: "agent_server.py", arguments: arguments) }
    }

    struct FixtureFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test func registersTakesAJobReportsItAndReconnects() async throws {
        let server = try ScriptedServer(arguments: [Self.apiKey, Self.apiSecret])
        defer { server.stop() }
        let port = try #require(try await server.value("port") as? Int)
        let driver = try WorkerDriver(url: URL(string: "http://127.0.0.1:\(port)")!, apiKey: Self.apiKey,
                                      apiSecret: Secret(Self.apiSecret),
                                      configuration: WorkerConfiguration(agentName: "assistant"))
        let running = Task { await driver.run() }
        var registrations: [String] = []
        var assignedToken: String?
        var disconnects = 0
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(30))
            running.cancel()
        }
        defer { watchdog.cancel() }
        for await event in driver.events {
            switch event {
            case .registered(let workerID, let version):
                registrations.append(workerID)
                #expect(version == "scripted-1.0")
                if registrations.count == 2 { driver.drain() }
            case .jobOffered(let job):
                driver.accept(jobID: job.id, identity: "agent-\(job.id)", name: "Steadfast")
            case .jobAssigned(let job, let url, let token):
                assignedToken = token
                #expect(url == nil)
                driver.report(jobID: job.id, status: .jsRunning)
                driver.report(jobID: job.id, status: .jsSuccess)
            case .disconnected:
                disconnects += 1
            default:
                break
            }
        }
        await running.value
        #expect(registrations == ["AW_py1", "AW_py2"], "registered, lost the connection, registered again")
        #expect(assignedToken == "room-token-for-AJ_py")
        #expect(disconnects >= 1)
        #expect(await driver.state == .drained)

        let result = try #require(try await server.value("result") as? [String: Any])
        #expect(result["rejected_tokens"] as? Int == 0, "livekit-api accepted the worker token")
        #expect(result["connections"] as? Int == 2)
        let registered = try #require(result["registrations"] as? [[String: Any]])
        #expect(registered.first?["agent_name"] as? String == "assistant")
        #expect(registered.first?["agent_permission"] as? Bool == true)
        let availability = try #require(result["availability"] as? [String: Any])
        #expect(availability["available"] as? Bool == true)
        #expect(availability["identity"] as? String == "agent-AJ_py")
        #expect((availability["attributes"] as? [String: String])?["lk.agent.name"] == "assistant")
        #expect(result["job_updates"] as? [String] == ["JS_RUNNING", "JS_SUCCESS"])
        #expect((result["worker_status"] as? [[String: Any]])?.isEmpty == false, "status reports reached the server")
        #expect((result["errors"] as? [Any])?.isEmpty == true, "\(result["errors"] ?? "")")
    }

    @Test func aTokenSignedWithTheWrongSecretIsRefusedAndTheWorkerGivesUpAtOnce() async throws {
        let server = try ScriptedServer(arguments: [Self.apiKey, Self.apiSecret])
        defer { server.stop() }
        let port = try #require(try await server.value("port") as? Int)
        let driver = try WorkerDriver(url: URL(string: "ws://127.0.0.1:\(port)")!, apiKey: Self.apiKey,
                                      apiSecret: Secret("not-the-secret-0123456789abcdef0123456789"),
                                      configuration: WorkerConfiguration(maximumReconnectAttempts: 2))
        let running = Task { await driver.run() }
        var failure: String?
        var disconnects = 0
        for await event in driver.events {
            if case .failed(let reason) = event { failure = reason }
            if case .disconnected = event { disconnects += 1 }
            if case .registered = event { Issue.record("registered with a bad token") }
        }
        await running.value
        #expect(failure == "LiveKit refused the worker's token (HTTP 401): check LIVEKIT_API_KEY and LIVEKIT_API_SECRET")
        #expect(disconnects == 1, "a refused token before the first registration is not retried")
        #expect(await driver.state == .failed)
        #expect(await driver.failure == failure)
    }

    @Test func nothingListeningIsOneLineThatNamesTheCause() async throws {
        let port = try LiveKitWebSocketTests.closedPort()
        let driver = try WorkerDriver(url: URL(string: "ws://127.0.0.1:\(port)")!, apiKey: Self.apiKey,
                                      apiSecret: Secret(Self.apiSecret),
                                      configuration: WorkerConfiguration(maximumReconnectAttempts: 0))
        let running = Task { await driver.run() }
        var reasons: [String] = []
        for await event in driver.events {
            if case .disconnected(let reason) = event { reasons.append(reason) }
        }
        await running.value
        #expect(reasons == ["cannot connect to ws://127.0.0.1:\(port)/agent: connection refused — is the LiveKit server running?"])
        #expect(await driver.failure?.hasSuffix("connection refused — is the LiveKit server running?") == true)
    }

    @Test(arguments: [
        ("wss://my-project.livekit.cloud", "wss://my-project.livekit.cloud/agent"),
        ("https://lk.example.com/base/", "wss://lk.example.com/base/agent"),
        ("http://127.0.0.1:7880", "ws://127.0.0.1:7880/agent"),
    ])
    func agentEndpointFromTheLiveKitURL(url: String, expected: String) throws {
        #expect(try WorkerDriver.agentEndpoint(URL(string: url)!) == expected)
    }

    @Test func aURLThatIsNotWebSocketOrHTTPIsAConfigurationError() {
        #expect(throws: ConfigError.self) { try WorkerDriver.agentEndpoint(URL(string: "ftp://example.com")!) }
    }

    /// `ws://user:pass@host` used to reach the WebSocket library, which took "user" for the host.
    @Test(arguments: ["ws://user:pass@lk.example.com:7880", "wss://user@lk.example.com", "https://:hunter2@lk.example.com"])
    func userInfoInTheURLIsRefusedWithoutEchoingIt(url: String) throws {
        let error = try #require(throws: ConfigError.self) {
            _ = try WorkerDriver(url: URL(string: url)!, apiKey: Self.apiKey, apiSecret: Secret(Self.apiSecret))
        }
        #expect(error.message.contains("has a user name or password in it"))
        #expect(error.message.contains("LIVEKIT_API_KEY and LIVEKIT_API_SECRET"))
        #expect(error.message.contains("lk.example.com"))
        #expect(!error.message.contains(":pass") && !error.message.contains("hunter2") && !error.message.contains("user@"),
                "\(error.message)")
        #expect(!error.message.contains("\n"))
        #expect(throws: ConfigError.self) {
            try RoomClient.signalURL(URL(string: url)!, token: "t", protocolVersion: 15)
        }
    }
}
