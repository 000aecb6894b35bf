import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The worker's small HTTP server, as LiveKit's SDKs run one: `GET /` and `/health` for probes
/// (200 while the worker is connected or reconnecting, 503 once it has given up), `GET /worker`
/// for what the worker is doing, `GET /status` for the provider chains (the status JSON).
///
/// It binds to loopback unless told otherwise (`--http-host 0.0.0.0` for a pod's probes): the
/// status names providers and their last (redacted) errors.
public final class WorkerHTTPServer: Sendable {
    /// What the server answers, computed per request.
    public struct Responder: Sendable {
        public var healthy: @Sendable () async -> Bool
        public var worker: @Sendable () async -> Data
        public var status: @Sendable () async -> Data

        public init(healthy: @escaping @Sendable () async -> Bool, worker: @escaping @Sendable () async -> Data,
                    status: @escaping @Sendable () async -> Data) {
            self.healthy = healthy
            self.worker = worker
            self.status = status
        }
    }

    private let channel: any Channel
    /// The port actually bound (useful with port 0).
    public let port: Int

    /// Binds and starts serving; `stop()` closes the listener.
    public init(host: String, port: Int, responder: Responder, logger: Logger) async throws {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(RequestHandler(responder: responder))
                }
            }
        channel = try await bootstrap.bind(host: host, port: port).get()
        self.port = channel.localAddress?.port ?? port
        logger.info("Worker HTTP server listening", metadata: ["http.host": "\(host)", "http.port": "\(self.port)"])
    }

    public func stop() async {
        try? await channel.close()
    }
}

/// One connection's requests. NIO calls it on the channel's event loop only.
private final class RequestHandler: ChannelInboundHandler, @unchecked Sendable {
    // SAFETY: NIO confines a handler to its channel's event loop; `responder` is immutable and Sendable.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder: WorkerHTTPServer.Responder
    private var head: HTTPRequestHead?

    init(responder: WorkerHTTPServer.Responder) { self.responder = responder }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            let responder = self.responder
            let path = request.uri.split(separator: "?").first.map(String.init) ?? request.uri
            let keepAlive = request.isKeepAlive
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { () -> (HTTPResponseStatus, String, Data) in
                guard request.method == .GET || request.method == .HEAD else {
                    return (.methodNotAllowed, "text/plain", Data("only GET\n".utf8))
                }
                switch path {
                case "/", "/health":
                    return await responder.healthy() ? (.ok, "text/plain", Data("OK\n".utf8))
                        : (.serviceUnavailable, "text/plain", Data("the worker gave up connecting to LiveKit\n".utf8))
                case "/worker":
                    return (.ok, "application/json", await responder.worker())
                case "/status":
                    return (.ok, "application/json", await responder.status())
                default:
                    return (.notFound, "text/plain", Data("not found\n".utf8))
                }
            }.whenSuccess { status, type, body in
                let (handler, context) = loopBound.value
                handler.respond(context: context, status: status, type: type, body: body,
                                keepAlive: keepAlive, head: request.method == .HEAD)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, type: String, body: Data,
                         keepAlive: Bool, head isHead: Bool) {
        var headers = HTTPHeaders([("Content-Type", type), ("Content-Length", "\(body.count)")])
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                      promise: nil)
        if !isHead {
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
