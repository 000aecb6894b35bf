import Foundation
import Synchronization
import TestSupport
import Testing
@testable import LiveKit

/// The libwebsockets transport against independent peers: a server on Python's `websockets`
/// package (plain and TLS, with certificates from a test CA made here with openssl), raw TCP
/// servers that answer nonsense or nothing, and a small HTTP CONNECT proxy
/// (`python/websocket_peer.py`). Needs the interop venv (`make peers`); fails without it.
@Suite("WebSocket transport (libwebsockets)", .serialized, .timeLimit(.minutes(3)))
struct WebSocketTransportTests {
    // MARK: Fixtures

    /// `websocket_peer.py` as a child process; it prints JSON lines (the first has the port).
    final class Peer: JSONLinesScript, @unchecked Sendable {
        init(_ arguments: [String]) throws { try super.init(script: "websocket_peer.py", arguments: arguments) }

        func port() async throws -> Int { try #require(try await value("port") as? Int) }
    }

    /// A certificate authority made with openssl for one test, and leaf certificates it signs.
    struct TestCA {
        let directory: URL
        var certificate: String { directory.appendingPathComponent("ca.pem").path }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-ca-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                              "-days", "2", "-subj", "/CN=Steadfast Test CA",
                              "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                              "-keyout", path("ca.key"), "-out", path("ca.pem")])
            try Data().write(to: URL(fileURLWithPath: path("index.txt")))
            try Data("01\n".utf8).write(to: URL(fileURLWithPath: path("serial")))
            let config = """
                [ca]
                default_ca = test
                [test]
                database = \(path("index.txt"))
                new_certs_dir = \(directory.path)
                serial = \(path("serial"))
                default_md = sha256
                policy = any
                copy_extensions = copy
                unique_subject = no
                [any]
                commonName = supplied
                """
            try Data(config.utf8).write(to: URL(fileURLWithPath: path("ca.cnf")))
        }

        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        /// A leaf for `subjectAltName` (e.g. "DNS:localhost"); `expired` makes one valid only in 2020.
        func leaf(_ subjectAltName: String, expired: Bool = false) throws -> (certificate: String, key: String) {
            let name = UUID().uuidString
            try Self.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                              "-subj", "/CN=steadfast-test", "-addext", "subjectAltName=\(subjectAltName)",
                              "-keyout", path("\(name).key"), "-out", path("\(name).csr")])
            let validity = expired ? ["-startdate", "20200101000000Z", "-enddate", "20200102000000Z"] : ["-days", "1"]
            try Self.openssl(["ca", "-batch", "-notext", "-config", path("ca.cnf"), "-cert", certificate, "-keyfile", path("ca.key"),
                              "-in", path("\(name).csr"), "-out", path("\(name).pem")] + validity)
            return (path("\(name).pem"), path("\(name).key"))
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }

        private static func openssl(_ arguments: [String]) throws {
            let result = try Subprocess.runBlocking("/usr/bin/openssl", arguments)
            guard result.status == 0 else { throw WorkerDriverTests.FixtureFailure("openssl \(arguments[0]): \(result.stderr)") }
        }
    }

    /// What one connection saw.
    struct Exchange: Sendable {
        var opened = false
        var received: [Data] = []
        var error: LiveKitError?
        /// An error that is not a `LiveKitError` (the transport must never throw one).
        var other: String?
        var reason: String { error?.message ?? other ?? "" }
    }

    final class ExchangeState: Sendable {
        let value = Mutex(Exchange())
    }

    /// Connects `transport` to `url`, sends `send` once open, and closes when `done` says so (or
    /// when the connection ends, or after 60 s).
    static func exchange(_ transport: LibWebSocketsTransport, _ url: String, send: [Data] = [],
                         headers: [String: String] = [:], maximumFrameSize: Int = 1 << 20,
                         until done: @escaping @Sendable ([Data]) -> Bool = { _ in false }) async -> Exchange {
        let (outbound, sink) = AsyncStream<Data>.makeStream()
        let box = ExchangeState()
        let request = WebSocketRequest(url: URLComponents(string: url)!, headers: headers, maximumFrameSize: maximumFrameSize)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await transport.run(request, outbound: outbound, logger: .init(label: "test"), opened: {
                        box.value.withLock { $0.opened = true }
                        if done([]) { sink.finish() }
                        for frame in send { sink.yield(frame) }
                    }, received: { message in
                        let all = box.value.withLock { state -> [Data] in
                            state.received.append(message)
                            return state.received
                        }
                        if done(all) { sink.finish() }
                    })
                } catch let error as LiveKitError {
                    box.value.withLock { $0.error = error }
                } catch {
                    box.value.withLock { $0.other = "not a LiveKitError: \(error)" }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(60))
            }
            await group.next()
            group.cancelAll()
        }
        return box.value.withLock { $0 }
    }

    static func number(_ index: Int) -> Data { withUnsafeBytes(of: UInt32(index).bigEndian) { Data($0) } }

    static func index(_ message: Data) -> Int {
        message.prefix(4).reduce(0) { $0 << 8 | Int($1) }
    }

    // MARK: TLS trust

    /// A server on 127.0.0.1 with a certificate for `subjectAltName` from `ca`.
    static func tlsServer(_ ca: TestCA, _ subjectAltName: String, mode: String = "echo", expired: Bool = false) throws -> Peer {
        let leaf = try ca.leaf(subjectAltName, expired: expired)
        return try Peer(["server", mode, "--cert", leaf.certificate, "--key", leaf.key, "--count", "1"])
    }

    @Test func aPrivateCATrustedThroughSSLCertFileConnects() async throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let server = try Self.tlsServer(ca, "DNS:localhost")
        defer { server.stop() }
        let port = try await server.port()
        let transport = LibWebSocketsTransport(caFile: nil, environment: ["SSL_CERT_FILE": ca.certificate])
        let result = await Self.exchange(transport, "wss://localhost:\(port)/rtc", send: [Self.number(0)]) { $0.count == 1 }
        #expect(result.error == nil, "\(result.reason)")
        #expect(result.received == [Self.number(0)])
        #expect(try await server.value("sni") as? String == "localhost", "a host name is sent as SNI")
    }

    @Test func aPrivateCATrustedThroughTheConfigurationConnects() async throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let server = try Self.tlsServer(ca, "DNS:localhost")
        defer { server.stop() }
        let port = try await server.port()
        let transport = LibWebSocketsTransport(caFile: ca.certificate, environment: [:])
        let result = await Self.exchange(transport, "wss://localhost:\(port)/agent", send: [Self.number(0)],
                                         headers: ["Authorization": "Bearer test-token"]) { $0.count == 1 }
        #expect(result.error == nil, "\(result.reason)")
        #expect(result.received == [Self.number(0)])
        #expect(try await server.value("authorization") as? String == "Bearer test-token")
        #expect(try await server.value("path") as? String == "/agent")
    }

    @Test func anIPAddressURLIsVerifiedAgainstTheIPSANAndSendsNoSNI() async throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let server = try Self.tlsServer(ca, "IP:127.0.0.1")
        defer { server.stop() }
        let port = try await server.port()
        let transport = LibWebSocketsTransport(caFile: ca.certificate, environment: [:])
        let result = await Self.exchange(transport, "wss://127.0.0.1:\(port)/rtc", send: [Self.number(0)]) { $0.count == 1 }
        #expect(result.error == nil, "\(result.reason)")
        #expect(result.received.count == 1)
        #expect(try await server.value("sni") is NSNull, "RFC 6066 §3: no IP literal as SNI")
    }

    @Test func anUntrustedCertificateIsRefusedWithWhatToDo() async throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let server = try Self.tlsServer(ca, "DNS:localhost")
        defer { server.stop() }
        let port = try await server.port()
        let result = await Self.exchange(LibWebSocketsTransport(caFile: nil, environment: [:]), "wss://localhost:\(port)/rtc")
        #expect(!result.opened)
        #expect(result.reason == "TLS with wss://localhost:\(port)/rtc failed: the server's certificate is not trusted — "
                + "if it is signed by a private CA, set LIVEKIT_CA_FILE (or SSL_CERT_FILE) to that CA's PEM file")
        #expect(result.error?.code == .tls)
    }

    @Test func anExpiredCertificateIsRefused() async throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let server = try Self.tlsServer(ca, "DNS:localhost", expired: true)
        defer { server.stop() }
        let port = try await server.port()
        let result = await Self.exchange(LibWebSocketsTransport(caFile: ca.certificate, environment: [:]),
                                         "wss://localhost:\(port)/rtc")
        #expect(!result.opened)
        #expect(result.reason.hasPrefix("TLS with wss://localhost:\(port)/rtc failed: the server's certificate has expired"),
                "\(result.reason)")
    }

    @Test(arguments: [("localhost", "DNS:lk.example.com"), ("127.0.0.1", "DNS:localhost,IP:192.0.2.10")])
    func aCertificateForAnotherHostIsRefused(host: String, subjectAltName: String) async throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let server = try Self.tlsServer(ca, subjectAltName)
        defer { server.stop() }
        let port = try await server.port()
        let result = await Self.exchange(LibWebSocketsTransport(caFile: ca.certificate, environment: [:]),
                                         "wss://\(host):\(port)/rtc")
        #expect(!result.opened)
        #expect(result.reason.hasPrefix("TLS with wss://\(host):\(port)/rtc failed: the server's certificate is not for this host"),
                "\(result.reason)")
        #expect(!result.reason.contains("\n"))
    }

    @Test func aPlainServerBehindAWssURLSaysSo() async throws {
        let server = try Peer(["server", "echo"])
        defer { server.stop() }
        let port = try await server.port()
        let result = await Self.exchange(LibWebSocketsTransport(environment: [:]), "wss://127.0.0.1:\(port)/rtc")
        #expect(result.error?.code == .tls, "\(result.reason)")
        #expect(result.reason.hasPrefix("TLS with wss://127.0.0.1:\(port)/rtc failed"), "\(result.reason)")
    }

    @Test func anUnreadableCAFileIsNamed() async throws {
        let server = try Peer(["server", "echo"])
        defer { server.stop() }
        let port = try await server.port()
        let result = await Self.exchange(LibWebSocketsTransport(caFile: "/nonexistent/ca.pem", environment: [:]),
                                         "wss://127.0.0.1:\(port)/rtc")
        #expect(result.reason.hasPrefix("cannot read LIVEKIT_CA_FILE=/nonexistent/ca.pem"), "\(result.reason)")
    }

    // MARK: Proxy

    @Test func wssGoesThroughTheHTTPSProxyAndNoProxyBypassesIt() async throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let server = try Self.tlsServer(ca, "DNS:localhost")
        defer { server.stop() }
        let proxy = try Peer(["proxy"])
        defer { proxy.stop() }
        let port = try await server.port(), proxyPort = try await proxy.port()
        let url = "wss://localhost:\(port)/rtc"

        let proxied = LibWebSocketsTransport(caFile: ca.certificate, environment: ["https_proxy": "http://127.0.0.1:\(proxyPort)"])
        let through = await Self.exchange(proxied, url, send: [Self.number(0)]) { $0.count == 1 }
        #expect(through.error == nil, "\(through.reason)")
        #expect(through.received.count == 1)
        #expect(proxy.values("tunnel") as? [String] == ["localhost:\(port)"])

        let bypassing = LibWebSocketsTransport(caFile: ca.certificate, environment: [
            "HTTPS_PROXY": "http://127.0.0.1:\(proxyPort)", "no_proxy": "example.com,localhost"])
        let direct = await Self.exchange(bypassing, url, send: [Self.number(0)]) { $0.count == 1 }
        #expect(direct.error == nil, "\(direct.reason)")
        #expect(direct.received.count == 1)
        #expect(proxy.values("tunnel").count == 1, "no_proxy=localhost must not tunnel")
    }

    @Test func aProxyThatIsNotRunningIsNamed() async throws {
        let closed = try LoopbackPort.unused()
        let transport = LibWebSocketsTransport(environment: ["https_proxy": "127.0.0.1:\(closed)"])
        let result = await Self.exchange(transport, "wss://lk.example.com/rtc")
        #expect(result.reason == "cannot connect to the proxy 127.0.0.1:\(closed) for wss://lk.example.com/rtc: connection "
                + "refused — is the proxy running (https_proxy)?", "\(result.reason)")
    }

    @Test func proxySettingsFollowCurl() throws {
        let plan = try LiveKitWebSocket.plan(URLComponents(string: "wss://lk.internal.example.com/rtc")!)
        #expect(try WebSocketProxy.select(for: plan, environment: ["https_proxy": "http://user:p%40ss@proxy:3128/"])
                == WebSocketProxy(host: "proxy", port: 3128, credentials: "user:p@ss"))
        #expect(try WebSocketProxy.select(for: plan, environment: ["HTTPS_PROXY": "[2001:db8::1]"])?.lwsAddress == "[2001:db8::1]:1080")
        #expect(try WebSocketProxy.select(for: plan, environment: ["http_proxy": "http://proxy:3128"]) == nil,
                "http_proxy is for ws:// only")
        for noProxy in ["*", "example.com", ".example.com", "other.org, internal.example.com"] {
            #expect(try WebSocketProxy.select(for: plan, environment: ["https_proxy": "proxy:1", "no_proxy": noProxy]) == nil,
                    "no_proxy=\(noProxy)")
        }
        #expect(try WebSocketProxy.select(for: plan, environment: ["https_proxy": "proxy:1", "no_proxy": "ample.com"]) != nil)
        let ip = try LiveKitWebSocket.plan(URLComponents(string: "wss://10.1.2.3/rtc")!)
        #expect(try WebSocketProxy.select(for: ip, environment: ["https_proxy": "proxy:1", "NO_PROXY": "10.0.0.0/8"]) == nil)
        #expect(try WebSocketProxy.select(for: ip, environment: ["https_proxy": "proxy:1", "NO_PROXY": "10.0.0.0/16"]) != nil)
        #expect(throws: LiveKitError.self) { try WebSocketProxy.select(for: plan, environment: ["https_proxy": "socks5://proxy:1080"]) }
    }

    // MARK: Frames

    @Test func fragmentedMessagesArriveWhole() async throws {
        let server = try Peer(["server", "fragments"])
        defer { server.stop() }
        let port = try await server.port()
        let result = await Self.exchange(LibWebSocketsTransport(environment: [:]), "ws://127.0.0.1:\(port)/rtc") { $0.count == 2 }
        #expect(result.error == nil, "\(result.reason)")
        #expect(result.received == [Data("first-second-third".utf8), Data("whole".utf8)])
    }

    @Test func aPingFromTheServerIsAnswered() async throws {
        let server = try Peer(["server", "ping"])
        defer { server.stop() }
        let port = try await server.port()
        let result = await Self.exchange(LibWebSocketsTransport(environment: [:]), "ws://127.0.0.1:\(port)/rtc") { $0.count == 1 }
        #expect(result.received == [Data("pong-received".utf8)])
        #expect(try await server.value("pong") as? Bool == true)
    }

    @Test func aCloseWithACodeMidStreamEndsWithThatCodeAfterTheMessagesBeforeIt() async throws {
        let server = try Peer(["server", "close"])
        defer { server.stop() }
        let port = try await server.port()
        let result = await Self.exchange(LibWebSocketsTransport(environment: [:]), "ws://127.0.0.1:\(port)/rtc")
        #expect(result.received == (0..<3).map(Self.number))
        #expect(result.reason == "ws://127.0.0.1:\(port)/rtc closed the connection with code 4000: room deleted")
    }

    @Test func anOversizeMessageClosesTheConnectionWith1009() async throws {
        let server = try Peer(["server", "oversize", "--size", "1001"])
        defer { server.stop() }
        let port = try await server.port()
        let result = await Self.exchange(LibWebSocketsTransport(environment: [:]), "ws://127.0.0.1:\(port)/rtc",
                                         maximumFrameSize: 1000)
        #expect(result.opened)
        #expect(result.received.isEmpty)
        #expect(result.reason == "ws://127.0.0.1:\(port)/rtc sent a message larger than the 1000-byte limit, so the "
                + "connection was closed (close code 1009)")
        #expect(try await server.value("close_code") as? Int == 1009)
    }

    @Test func tenThousandMessagesKeepTheirOrderBothWays() async throws {
        let server = try Peer(["server", "echo", "--count", "10000"])
        defer { server.stop() }
        let port = try await server.port()
        let sent = (0..<10_000).map { Self.number($0) + Data(repeating: UInt8($0 % 251), count: $0 % 300) }
        let result = await Self.exchange(LibWebSocketsTransport(environment: [:]), "ws://127.0.0.1:\(port)/rtc",
                                         send: sent) { $0.count == 10_000 }
        #expect(result.error == nil, "\(result.reason)")
        #expect(result.received == sent, "the echoes come back in the order sent")
        #expect(try await server.value("in_order") as? Bool == true, "the server received them in order")
    }

    // MARK: Refused and silent servers

    @Test func a401CarriesTheStatusAndWhatToCheck() async throws {
        let server = try Peer(["server", "401"])
        defer { server.stop() }
        let port = try await server.port()
        let result = await Self.exchange(LibWebSocketsTransport(environment: [:]), "ws://127.0.0.1:\(port)/agent")
        #expect(!result.opened)
        #expect(result.error?.httpStatus == 401)
        #expect(result.reason.hasPrefix("LiveKit refused the worker's token (HTTP 401): check LIVEKIT_API_KEY and "
                                        + "LIVEKIT_API_SECRET"), "\(result.reason)")
    }

    @Test func a404SaysTheURLIsNotALiveKitServer() async throws {
        let server = try Peer(["server", "404"])
        defer { server.stop() }
        let port = try await server.port()
        let result = await Self.exchange(LibWebSocketsTransport(environment: [:]), "ws://127.0.0.1:\(port)/agent")
        #expect(result.reason.hasPrefix("ws://127.0.0.1:\(port)/agent answered HTTP 404: is LIVEKIT_URL a LiveKit server?"),
                "\(result.reason)")
    }

    @Test func aGarbageAnswerToTheUpgradeIsRefusedInOneLine() async throws {
        let server = try Peer(["server", "garbage"])
        defer { server.stop() }
        let port = try await server.port()
        let result = await Self.exchange(LibWebSocketsTransport(environment: [:]), "ws://127.0.0.1:\(port)/agent")
        #expect(!result.opened)
        #expect(result.reason.hasPrefix("ws://127.0.0.1:\(port)/agent did not accept the WebSocket upgrade"), "\(result.reason)")
        #expect(result.reason.hasSuffix("is LIVEKIT_URL a LiveKit server?"), "\(result.reason)")
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let server = try Peer(["server", "silent"])
        defer { server.stop() }
        let port = try await server.port()
        let started = ContinuousClock.now
        let result = await Self.exchange(LibWebSocketsTransport(environment: [:], handshakeTimeout: .seconds(1)),
                                         "ws://127.0.0.1:\(port)/agent")
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(result.reason.hasPrefix("cannot connect to ws://127.0.0.1:\(port)/agent: no answer within 1.0 seconds"),
                "\(result.reason)")
    }

    @Test func nothingListeningIsConnectionRefused() async throws {
        let port = try LoopbackPort.unused()
        let result = await Self.exchange(LibWebSocketsTransport(environment: [:]), "ws://127.0.0.1:\(port)/agent")
        #expect(result.reason == "cannot connect to ws://127.0.0.1:\(port)/agent: connection refused — is the LiveKit server running?")
    }

    @Test func anUnknownHostNameSaysItDoesNotResolve() async throws {
        let result = await Self.exchange(LibWebSocketsTransport(environment: [:]), "wss://steadfast-test.invalid/rtc")
        #expect(result.reason == "cannot connect to wss://steadfast-test.invalid/rtc: the host name does not resolve — check "
                + "LIVEKIT_URL and DNS")
    }
}
