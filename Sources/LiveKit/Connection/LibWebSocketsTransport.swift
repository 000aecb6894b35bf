import Foundation
import Logging
import Synchronization

/// `WebSocketTransport` on libwebsockets 4.1 over the system OpenSSL (the process's one TLS library).
/// Connections share one libwebsockets context and service thread (`WebSocketService`). Bounded:
/// the connect and handshake must finish within `handshakeTimeout`, a message may not exceed the
/// request's `maximumFrameSize` (the whole message, fragments included), and at most
/// `maximumQueuedBytes` may wait to be written.
public struct LibWebSocketsTransport: WebSocketTransport {
    /// What `wss://` certificates are verified against.
    public var trust: WebSocketTrust
    /// Where `https_proxy` / `http_proxy` / `no_proxy` are read from.
    public var environment: [String: String]
    public var handshakeTimeout: Duration
    public var maximumQueuedBytes: Int

    /// - Parameters:
    ///   - caFile: extra CA certificates (PEM) besides the system's; by default the configuration's
    ///     `LIVEKIT_CA_FILE` (`WebSocketTrust.configuredCAFile`, else the environment variable).
    ///   - environment: supplies `SSL_CERT_FILE`, `SSL_CERT_DIR` and the proxy variables.
    public init(caFile: String? = WebSocketTrust.configuredCAFile ?? ProcessInfo.processInfo.environment["LIVEKIT_CA_FILE"],
                environment: [String: String] = ProcessInfo.processInfo.environment,
                handshakeTimeout: Duration = .seconds(10), maximumQueuedBytes: Int = 16 << 20) {
        trust = WebSocketTrust(environment: environment, caFile: caFile)
        self.environment = environment
        self.handshakeTimeout = handshakeTimeout
        self.maximumQueuedBytes = maximumQueuedBytes
    }

    public func run(_ request: WebSocketRequest, outbound: AsyncStream<Data>, logger: Logger,
                    opened: @escaping @Sendable () async -> Void,
                    received: @escaping @Sendable (Data) async -> Void) async throws {
        let plan: LiveKitWebSocket.Plan
        do { plan = try LiveKitWebSocket.plan(request.url) } catch { throw LiveKitError(.connectionLost, error.message) }
        let proxy = try WebSocketProxy.select(for: plan, environment: environment)
        // Resolved here, off the service thread: libwebsockets 4.1 as Debian builds it resolves
        // synchronously, which would stall every other connection. Through a proxy, the proxy resolves.
        let address = proxy == nil ? try await WebSocketResolver.resolve(plan) : plan.host
        try Task.checkCancellation()
        let connection = WebSocketConnection(plan: plan, headers: request.headers, maximumMessageSize: request.maximumFrameSize,
                                             maximumQueuedBytes: maximumQueuedBytes, trust: plan.usesTLS ? trust : nil,
                                             proxy: proxy, address: address)
        let ending = await withTaskCancellationHandler {
            await serve(connection, outbound: outbound, opened: opened, received: received)
        } onCancel: {
            connection.abort(nil)
        }
        guard let ending else { return }  // cancelled
        try await Self.outcome(ending, plan: plan, proxy: proxy, address: address)
    }

    /// Pumps one connection until it ends; nil when the caller was cancelled first.
    private func serve(_ connection: WebSocketConnection, outbound: AsyncStream<Data>,
                       opened: @escaping @Sendable () async -> Void,
                       received: @escaping @Sendable (Data) async -> Void) async -> WebSocketConnection.Ending? {
        let timeout = handshakeTimeout
        WebSocketService.shared.submit(.open(connection))
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in outbound { connection.enqueue(frame) }
                connection.finishSending()
            }
            group.addTask {
                guard (try? await Task.sleep(for: timeout)) != nil, !connection.isOpened else { return }
                connection.abort(LiveKitError(.unreachable, "cannot connect to \(connection.plan.displayURL): no answer within "
                                              + "\(timeout) (connect, TLS or WebSocket upgrade) — is the host reachable, "
                                              + "and is it a LiveKit server?"))
            }
            var ending: WebSocketConnection.Ending?
            for await event in connection.events {
                switch event {
                case .opened:
                    await opened()
                case .message(let message):
                    await received(message)
                    connection.consumed(message.count)
                case .ended(let end):
                    ending = end
                }
            }
            group.cancelAll()
            return ending
        }
    }

    /// Returns for a clean close; throws one actionable line for everything else.
    static func outcome(_ ending: WebSocketConnection.Ending, plan: LiveKitWebSocket.Plan, proxy: WebSocketProxy?,
                        address: String) async throws {
        let url = plan.displayURL
        if let local = ending.local { throw local }
        if ending.established {
            guard let code = ending.closeCode, ![1000, 1001, 1005].contains(code) else { return }
            let reason = ending.closeReason.map { ": \(LiveKitError.oneLine($0))" } ?? ""
            throw LiveKitError(.connectionLost, "\(url) closed the connection with code \(code)\(reason)")
        }
        if let verifyError = ending.verifyError {
            throw LiveKitError(.tls, WebSocketTLS.describe(verifyError: verifyError, url: url))
        }
        if let status = ending.httpStatus { throw LiveKitError.refusedUpgrade(url, status: status) }
        let failure = ending.failure ?? "unknown"
        let lowered = failure.lowercased()
        if lowered.contains("proxy not h1") || lowered.contains("proxy conn dead") || lowered.contains("proxy read") {
            let name = proxy?.display ?? "the proxy"
            throw LiveKitError(.unreachable, "the proxy \(name) did not open a tunnel to \(url) (its answer to CONNECT was "
                               + "not 200) — check https_proxy / no_proxy and the proxy's rules")
        }
        if plan.usesTLS, lowered.contains("ssl") || lowered.contains("tls") {
            if lowered.contains("wrong version number") || lowered.contains("packet length too long") {
                throw LiveKitError(.tls, "TLS with \(url) failed: the server does not speak TLS on this port — use ws:// "
                                   + "if it is a plain LiveKit dev server")
            }
            throw LiveKitError(.tls, "TLS with \(url) failed: the handshake broke off (\(LiveKitError.oneLine(failure))) — "
                               + "is it a TLS server, and is its certificate trusted?")
        }
        if lowered.hasPrefix("hs:") || lowered.contains("parsing header") || lowered.contains("peer hung up")
            || lowered.contains("read failed") {
            throw LiveKitError(.upgradeRefused, "\(url) did not accept the WebSocket upgrade (\(LiveKitError.oneLine(failure)))"
                               + " — is LIVEKIT_URL a LiveKit server?")
        }
        if lowered.contains("timeout") || lowered.contains("timed out") {
            throw LiveKitError(.unreachable, "cannot connect to \(url): no answer (timed out) — is the host reachable?")
        }
        // A failed TCP connect: libwebsockets keeps no errno, so ask the socket layer once more.
        let target = proxy.map { ($0.host, $0.port) } ?? (address, plan.port)
        if let errno = await WebSocketResolver.probe(host: target.0, port: target.1) {
            throw LiveKitError.connectFailed(url, errno: errno, via: proxy?.display)
        }
        throw LiveKitError(.connectionLost, "the connection to \(url) failed (\(LiveKitError.oneLine(failure)))")
    }
}

/// Name resolution and connect diagnosis, each on a thread of its own (both block).
enum WebSocketResolver {
    /// The address to connect to for `plan`: IPv4 first, as most LiveKit deployments listen there.
    static func resolve(_ plan: LiveKitWebSocket.Plan) async throws(LiveKitError) -> String {
        if LiveKitWebSocket.isIPAddress(plan.host) { return plan.host }
        let host = plan.host
        let result: Result<String, ResolveFailure> = await offThread {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, nil, &hints, &list)
            guard status == 0, let list else { return .failure(ResolveFailure(status: status)) }
            defer { freeaddrinfo(list) }
            var candidates: [(family: Int32, text: String)] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = list
            while let entry = cursor {
                var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0,
                               NI_NUMERICHOST) == 0 {
                    candidates.append((entry.pointee.ai_family, text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }))
                }
                cursor = entry.pointee.ai_next
            }
            guard let best = candidates.first(where: { $0.family == AF_INET }) ?? candidates.first else {
                return .failure(ResolveFailure(status: EAI_NONAME))
            }
            return .success(best.text)
        }
        switch result {
        case .success(let address): return address
        case .failure(let failure):
            let reason = failure.status == EAI_NONAME ? "the host name does not resolve"
                : String(cString: gai_strerror(failure.status))
            throw LiveKitError(.unreachable, "cannot connect to \(plan.displayURL): \(reason) — check LIVEKIT_URL and DNS")
        }
    }

    private struct ResolveFailure: Error {
        let status: Int32
    }

    /// The errno of a fresh TCP connect to `host:port` (numeric), or nil when it connects.
    static func probe(host: String, port: Int, timeout: Duration = .seconds(3)) async -> Int32? {
        let milliseconds = Int32(timeout.components.seconds * 1000)
        return await offThread { () -> Int32? in
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = AI_NUMERICSERV
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, "\(port)", &hints, &list) == 0, let entry = list else { return EHOSTUNREACH }
            defer { freeaddrinfo(list) }
            let socket = Glibc.socket(entry.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
            guard socket >= 0 else { return errno }
            defer { close(socket) }
            _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
            if connect(socket, entry.pointee.ai_addr, entry.pointee.ai_addrlen) == 0 { return nil }
            guard errno == EINPROGRESS else { return errno }
            var poller = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            guard poll(&poller, 1, milliseconds) == 1 else { return ETIMEDOUT }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(socket, SOL_SOCKET, SO_ERROR, &failure, &length)
            return failure == 0 ? nil : failure
        }
    }

    private static func offThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }
}
