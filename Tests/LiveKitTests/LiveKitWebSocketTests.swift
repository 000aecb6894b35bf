import Foundation
import SteadfastConfig
import TestSupport
import Testing
@testable import LiveKit

/// How LiveKit URLs are connected to (TLS server name for IP and name hosts), and `wss://` against
/// the scripted `/agent` server (official Python packages) serving a self-signed certificate.
@Suite("LiveKitWebSocket", .serialized, .timeLimit(.minutes(3)))
struct LiveKitWebSocketTests {
    /// A port on 127.0.0.1 where nothing listens.
    static func closedPort() throws -> Int { try LoopbackPort.unused() }

    static func plan(_ url: String) throws -> LiveKitWebSocket.Plan {
        try LiveKitWebSocket.plan(LiveKitEndpoint.components(URL(string: url)!, path: "/agent"))
    }

    /// RFC 6066 §3: no IP literal in SNI. An IP host sends none (and is checked against the IP SAN).
    @Test(arguments: [
        ("wss://192.0.2.10:7880", "192.0.2.10", 7880, nil, "192.0.2.10:7880"),
        ("wss://[2001:db8::1]:7880", "2001:db8::1", 7880, nil, "[2001:db8::1]:7880"),
        ("https://[::1]", "::1", 443, nil, "[::1]"),
        ("wss://my-app.livekit.cloud", "my-app.livekit.cloud", 443, "my-app.livekit.cloud", "my-app.livekit.cloud"),
        ("http://localhost:7880", "localhost", 7880, "localhost", "localhost:7880"),
    ] as [(String, String, Int, String?, String)])
    func theTLSServerNameIsTheHostNameAndNeverAnIPAddress(url: String, host: String, port: Int, serverName: String?,
                                                         hostHeader: String) throws {
        let plan = try Self.plan(url)
        #expect(plan.host == host)
        #expect(plan.port == port)
        #expect(plan.serverHostname == serverName)
        #expect(plan.hostHeader == hostHeader)
        #expect(plan.target.hasSuffix("/agent"))
    }

    @Test func theDisplayedURLCarriesNoQuery() throws {
        let components = try RoomClient.signalComponents(URL(string: "wss://lk.example.com")!, token: "secret.jwt.token",
                                                         protocolVersion: 15)
        let plan = try LiveKitWebSocket.plan(components)
        #expect(plan.target.contains("access_token=secret.jwt.token"))
        #expect(plan.displayURL == "wss://lk.example.com/rtc", "error messages never show the token")
    }

    // MARK: wss:// against a real TLS server

    /// A self-signed certificate (it is its own trust root) with the given subjectAltName.
    struct Certificate {
        let directory: URL
        var certificate: URL { directory.appendingPathComponent("cert.pem") }
        var key: URL { directory.appendingPathComponent("key.pem") }

        init(subjectAltName: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let result = try Subprocess.runBlocking("/usr/bin/openssl", [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=steadfast-test", "-addext", "subjectAltName=\(subjectAltName)",
                "-keyout", directory.appendingPathComponent("key.pem").path,
                "-out", directory.appendingPathComponent("cert.pem").path,
            ])
            guard result.status == 0 else { throw WorkerDriverTests.FixtureFailure("openssl: \(result.stderr)") }
        }

        /// A transport trusting this certificate through the configuration's CA file.
        func trusting() -> LibWebSocketsTransport {
            LibWebSocketsTransport(caFile: certificate.path, environment: [:])
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// Registers over `wss://<host>:<port>` with the scripted server, or returns why it could not.
    static func register(host: String, certificate: Certificate) async throws -> Result<String, LiveKitWebSocketTests.Failure> {
        let server = try WorkerDriverTests.ScriptedServer(arguments: [WorkerDriverTests.apiKey, WorkerDriverTests.apiSecret,
                                                                      certificate.certificate.path, certificate.key.path])
        defer { server.stop() }
        let port = try #require(try await server.value("port") as? Int)
        let driver = try WorkerDriver(url: URL(string: "wss://\(host):\(port)")!, apiKey: WorkerDriverTests.apiKey,
                                      apiSecret: Secret(WorkerDriverTests.apiSecret),
                                      configuration: WorkerConfiguration(maximumReconnectAttempts: 0),
                                      transport: certificate.trusting())
        let running = Task { await driver.run() }
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(30))
            running.cancel()
        }
        defer { watchdog.cancel() }
        var outcome: Result<String, Failure> = .failure(Failure(reason: "no event"))
        for await event in driver.events {
            switch event {
            case .registered(let workerID, _):
                outcome = .success(workerID)
                running.cancel()
            case .disconnected(let reason):
                if case .failure = outcome { outcome = .failure(Failure(reason: reason)) }
            default:
                break
            }
        }
        await running.value
        return outcome
    }

    struct Failure: Error, Equatable {
        let reason: String
    }

    @Test(.timeLimit(.minutes(1)))
    func anIPAddressHostConnectsWithoutSNIAndIsVerifiedAgainstTheIPSAN() async throws {
        let certificate = try Certificate(subjectAltName: "IP:127.0.0.1")
        defer { certificate.remove() }
        let outcome = try await Self.register(host: "127.0.0.1", certificate: certificate)
        #expect(outcome == .success("AW_py1"), "swift-nio-ssl refuses an IP address as SNI; it must not be sent")
    }

    @Test(.timeLimit(.minutes(1)))
    func aHostNameStillUsesSNIAndTheDNSSAN() async throws {
        let certificate = try Certificate(subjectAltName: "DNS:localhost")
        defer { certificate.remove() }
        let outcome = try await Self.register(host: "localhost", certificate: certificate)
        #expect(outcome == .success("AW_py1"))
    }

    @Test(.timeLimit(.minutes(1)))
    func anIPAddressHostWhoseCertificateLacksThatIPIsRefused() async throws {
        let certificate = try Certificate(subjectAltName: "DNS:lk.example.com,IP:192.0.2.10")
        defer { certificate.remove() }
        let outcome = try await Self.register(host: "127.0.0.1", certificate: certificate)
        guard case .failure(let failure) = outcome else {
            Issue.record("connected to a server whose certificate is not for 127.0.0.1")
            return
        }
        #expect(failure.reason.hasPrefix("TLS with wss://127.0.0.1:"), "\(failure.reason)")
        #expect(failure.reason.contains("certificate is not for this host"), "\(failure.reason)")
        #expect(!failure.reason.contains("\n"))
    }
}
