import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import SteadfastConfig
// `WebSocketHandler` (the frame loop: pings, close handshake, fragments) is swift-websocket's SPI for
// its own clients; we reuse it rather than write a second frame loop.
@_spi(WSInternal) import WSClient

/// The transport in use: swift-websocket's frame loop on swift-nio and swift-nio-ssl. Replacing the
/// WebSocket library (libwebsockets over the system OpenSSL) replaces this file only.
public typealias DefaultWebSocketTransport = NIOWebSocketTransport

/// `WebSocketTransport` on swift-websocket (see `LiveKitWebSocket` for why it makes the connection itself).
public struct NIOWebSocketTransport: WebSocketTransport {
    /// How `wss://` is verified (the system's trust roots unless a test says otherwise).
    public var tlsConfiguration: TLSConfiguration

    public init(tlsConfiguration: TLSConfiguration = .makeClientConfiguration()) {
        self.tlsConfiguration = tlsConfiguration
    }

    public func run(_ request: WebSocketRequest, outbound frames: AsyncStream<Data>, logger: Logger,
                    opened: @escaping @Sendable () async -> Void,
                    received: @escaping @Sendable (Data) async -> Void) async throws {
        var headers = HTTPFields()
        for (name, value) in request.headers {
            guard let name = HTTPField.Name(name) else { continue }
            headers[name] = value
        }
        let maximum = request.maximumFrameSize
        try await LiveKitWebSocket.connect(request.url, headers: headers, maxFrameSize: maximum,
                                           tlsConfiguration: tlsConfiguration, logger: logger) { inbound, outbound, _ in
            await opened()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await frame in frames { try await outbound.write(.binary(ByteBuffer(bytes: frame))) }
                }
                group.addTask {
                    for try await message in inbound.messages(maxSize: maximum) {
                        if case .binary(let buffer) = message { await received(Data(buffer.readableBytesView)) }
                    }
                }
                // Either side ending ends the connection.
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }
}

/// Opens LiveKit's WebSockets (`/agent`, `/rtc`) with swift-websocket's frame handling, and makes
/// the connection itself for two reasons `WebSocketClient` cannot serve:
/// - a `wss://` URL whose host is an IP address: `WebSocketClient` always sends the host as the TLS
///   server name, which swift-nio-ssl refuses for an IP (RFC 6066 §3 forbids IP literals in SNI).
///   Here an IP host sends no SNI and the certificate is verified against its IP SAN instead.
/// - a refused upgrade: `WebSocketClient` reports only "upgrade failed"; here the HTTP status is
///   kept, so a 401 can say that the token (the API key and secret) was refused.
enum LiveKitWebSocket {
    /// The context the data handler receives.
    struct Context: WebSocketContext {
        let logger: Logger
    }

    typealias Handler = WebSocketDataHandler<Context>

    /// How a URL is connected to, decided before any IO (so tests can check it for every kind of host).
    struct Plan: Equatable, Sendable {
        /// The address to connect to (an IPv6 literal without its brackets).
        var host: String
        var port: Int
        var usesTLS: Bool
        /// The TLS server name, sent as SNI and checked against the certificate's DNS names; nil for an
        /// IP literal, whose certificate is checked against its IP SANs (swift-nio-ssl does that when
        /// no server name is given).
        var serverHostname: String?
        /// Path and query of the upgrade request.
        var target: String
        /// The `Host` header (with the port when it is not the scheme's default).
        var hostHeader: String
        /// The URL without its query (the query may carry a token): what error messages show.
        var displayURL: String
    }

    static func plan(_ components: URLComponents) throws(ConfigError) -> Plan {
        guard let scheme = components.scheme?.lowercased(), scheme == "ws" || scheme == "wss",
              let rawHost = components.host, !rawHost.isEmpty else {
            throw ConfigError(.invalid, "LIVEKIT_URL is not a ws(s) or http(s) URL with a host")
        }
        let usesTLS = scheme == "wss"
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        let defaultPort = usesTLS ? 443 : 80
        let port = components.port ?? defaultPort
        let bracketed = isIPv6(host) ? "[\(host)]" : host
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?\(query)" }
        let hostHeader = port == defaultPort ? bracketed : "\(bracketed):\(port)"
        var display = URLComponents()
        display.scheme = scheme
        display.percentEncodedHost = components.percentEncodedHost
        display.port = components.port
        display.percentEncodedPath = components.percentEncodedPath
        return Plan(host: host, port: port, usesTLS: usesTLS, serverHostname: isIPAddress(host) ? nil : host,
                    target: target, hostHeader: hostHeader, displayURL: display.string ?? "\(scheme)://\(bracketed)")
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        return host.withCString { inet_pton(AF_INET, $0, &v4) } == 1 || isIPv6(host)
    }

    private static func isIPv6(_ host: String) -> Bool {
        var v6 = in6_addr()
        return host.withCString { inet_pton(AF_INET6, $0, &v6) } == 1
    }

    /// Connects, upgrades and runs `handler` until the WebSocket closes. Every failure is a
    /// `LiveKitError` with a one-line message.
    static func connect(_ components: URLComponents, headers: HTTPFields, maxFrameSize: Int,
                        tlsConfiguration: TLSConfiguration = .makeClientConfiguration(), logger: Logger,
                        handler: @escaping Handler) async throws {
        let plan: Plan
        do { plan = try Self.plan(components) } catch { throw LiveKitError(.connectionLost, error.message) }
        do {
            let sslContext = plan.usesTLS ? try NIOSSLContext(configuration: tlsConfiguration) : nil
            let channel = Channel(plan: plan, headers: HTTPHeaders(headers), maxFrameSize: maxFrameSize,
                                  sslContext: sslContext, handler: handler)
            _ = try await ClientConnection(channel, address: .hostname(plan.host, port: plan.port), logger: logger).run()
        } catch {
            throw LiveKitError.connecting(to: plan.displayURL, error)
        }
    }

    /// One connection's pipeline: TLS (optional), the HTTP upgrade, then the WebSocket frame loop.
    private struct Channel: ClientConnectionChannel {
        enum Upgrade: Sendable {
            case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
            /// The server answered with something else; its status arrives on the future.
            case refused(EventLoopFuture<HTTPResponseStatus>)
        }

        typealias Value = EventLoopFuture<Upgrade>

        let plan: Plan
        let headers: HTTPHeaders
        let maxFrameSize: Int
        let sslContext: NIOSSLContext?
        let handler: Handler

        func setup(channel: any NIOCore.Channel, logger: Logger) -> EventLoopFuture<Value> {
            channel.eventLoop.makeCompletedFuture { try configure(channel) }
        }

        private func configure(_ channel: any NIOCore.Channel) throws -> Value {
            let recorder = ResponseStatusRecorder(promise: channel.eventLoop.makePromise())
            do {
                return try configure(channel, recorder: recorder)
            } catch {
                // The recorder never joined the pipeline: nothing else would complete its promise.
                recorder.promise.fail(error)
                throw error
            }
        }

        private func configure(_ channel: any NIOCore.Channel, recorder: ResponseStatusRecorder) throws -> Value {
            let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: maxFrameSize) { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    // The recorder only reads HTTP parts; frames must not reach it.
                    _ = channel.pipeline.syncOperations.removeHandler(recorder)
                    return .websocket(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                }
            }
            var requestHeaders = HTTPHeaders([("Host", plan.hostHeader)])
            requestHeaders.add(contentsOf: headers)
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: plan.target, headers: requestHeaders)
            let upgrade = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                upgradeRequestHead: head, upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeSucceededFuture(.refused(recorder.promise.futureResult))
                })
            var configuration = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgrade)
            configuration.leftOverBytesStrategy = .forwardBytes
            if let sslContext {
                let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: plan.serverHostname)
                try channel.pipeline.syncOperations.addHandler(tls, position: .first)
            }
            let result = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
            try channel.pipeline.syncOperations.addHandler(recorder)
            return result
        }

        func handle(value: Value, logger: Logger) async throws -> WebSocketCloseFrame? {
            switch try await value.get() {
            case .websocket(let channel):
                return try await WebSocketHandler.handle(
                    type: .client,
                    configuration: .init(extensions: [], autoPing: .disabled, validateUTF8: false, maxFrameSize: maxFrameSize),
                    asyncChannel: channel, context: Context(logger: logger), handler: handler)
            case .refused(let status):
                let code = try? await status.get()
                throw LiveKitError.refusedUpgrade(plan.displayURL, status: code.map { Int($0.code) })
            }
        }
    }
}

/// Keeps the status of a response that did not upgrade (the upgrade handler passes it on after
/// deciding not to upgrade). Lives on its channel's event loop.
private final class ResponseStatusRecorder: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart

    let promise: EventLoopPromise<HTTPResponseStatus>

    init(promise: EventLoopPromise<HTTPResponseStatus>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { promise.succeed(head.status) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        promise.fail(ChannelError.ioOnClosedChannel)
    }
}
