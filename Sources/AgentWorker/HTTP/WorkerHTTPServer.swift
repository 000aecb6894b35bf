import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The worker's small HTTP server, for probes and operators:
/// - `GET /` and `GET /health`: **liveness**. 200 while the process can do its work, which includes
///   connecting, reconnecting and draining (restarting it would not bring a LiveKit server back);
///   503 once the worker has given up (it then exits non-zero). For a Kubernetes `livenessProbe`.
/// - `GET /ready`: **readiness**. 200 only while registered with LiveKit and taking jobs; 503 while
///   connecting, reconnecting, draining or given up. For a `readinessProbe`.
/// - `GET /worker`: what the worker is doing (LiveKit's WorkerInfo fields); `GET /status`: the
///   provider chains (the status JSON).
/// - `GET /metrics`: Prometheus text format (providers, worker, sessions, media; docs/deploying.md).
///
/// LiveKit's agent SDKs serve health on `/` and worker info on `/worker`; `/ready` is ours.
///
/// It binds to loopback unless told otherwise (`--http-host 0.0.0.0` for a pod's probes): the
/// status names providers and their last (redacted) errors. It is bounded so that stray or hostile
/// clients cannot starve the probes or the process's descriptors (`Limits`).
public final class WorkerHTTPServer: Sendable {
    /// What the server answers, computed per request.
    public struct Responder: Sendable {
        /// Liveness (`/`, `/health`).
        public var healthy: @Sendable () async -> Bool
        /// Readiness (`/ready`).
        public var ready: @Sendable () async -> Bool
        public var worker: @Sendable () async -> Data
        public var status: @Sendable () async -> Data
        /// The Prometheus exposition for `/metrics`; nil: 404.
        public var metrics: (@Sendable () async -> Data)?

        public init(healthy: @escaping @Sendable () async -> Bool, ready: @escaping @Sendable () async -> Bool,
                    worker: @escaping @Sendable () async -> Data, status: @escaping @Sendable () async -> Data,
                    metrics: (@Sendable () async -> Data)? = nil) {
            self.healthy = healthy
            self.ready = ready
            self.worker = worker
            self.status = status
            self.metrics = metrics
        }
    }

    /// Bounds on what clients may hold.
    public struct Limits: Sendable {
        /// A connection must deliver a complete request within this time of opening (or of its
        /// previous response), else it is closed: idle, half-open and trickling connections go away.
        public var requestTimeout: TimeAmount
        /// Connections held at once. A connection beyond it evicts the oldest one that is not in
        /// the middle of a request (so a probe still gets in while idle connections fill the server);
        /// when every connection is busy, the new one is closed.
        public var maximumConnections: Int
        /// The largest request head (all header names and values), in bytes; larger gets 400.
        public var maximumHeadSize: Int

        public init(requestTimeout: TimeAmount = .seconds(10), maximumConnections: Int = 128,
                    maximumHeadSize: Int = 16 * 1024) {
            self.requestTimeout = requestTimeout
            self.maximumConnections = max(1, maximumConnections)
            self.maximumHeadSize = max(1024, maximumHeadSize)
        }
    }

    private let channel: any Channel
    /// The port actually bound (useful with port 0).
    public let port: Int
    private let connections: ConnectionTable

    /// Binds and starts serving; `stop()` closes the listener.
    public init(host: String, port: Int, responder: Responder, limits: Limits = Limits(), logger: Logger) async throws {
        let connections = ConnectionTable(capacity: limits.maximumConnections)
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        decoderLimits.maxHeaderFieldSize = limits.maximumHeadSize
        decoderLimits.maxHeaderListSize = limits.maximumHeadSize
        decoderLimits.maxHeaderFieldCount = 100
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard let entry = connections.admit(channel) else {
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in connections.remove(entry) }
                return channel.pipeline.configureHTTPServerPipeline(withDecoderLimitConfiguration: decoderLimits).flatMap {
                    channel.pipeline.addHandler(RequestHandler(responder: responder, entry: entry, connections: connections,
                                                               timeout: limits.requestTimeout))
                }
            }
        channel = try await bootstrap.bind(host: host, port: port).get()
        self.port = channel.localAddress?.port ?? port
        self.connections = connections
        logger.info("Worker HTTP server listening", metadata: ["http.host": "\(host)", "http.port": "\(self.port)"])
    }

    /// Connections open now (for tests and diagnostics).
    public var openConnections: Int { connections.count }

    public func stop() async {
        try? await channel.close()
    }
}

/// The open connections in arrival order, and which are mid-request. Shared by every event loop.
private final class ConnectionTable: Sendable {
    struct Entry: Sendable {
        let id: Int
        let channel: any Channel
        var busy = false
    }

    private struct State {
        var entries: [Entry] = []
        var nextID = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { state.withLock { $0.entries.count } }

    /// Registers `channel`, evicting the oldest idle connection when full; nil when every slot is busy.
    func admit(_ channel: any Channel) -> Int? {
        let (id, evicted): (Int?, (any Channel)?) = state.withLock { state in
            var evicted: (any Channel)?
            if state.entries.count >= capacity {
                guard let oldest = state.entries.firstIndex(where: { !$0.busy }) else { return (nil, nil) }
                evicted = state.entries.remove(at: oldest).channel
            }
            state.nextID += 1
            state.entries.append(Entry(id: state.nextID, channel: channel))
            return (state.nextID, evicted)
        }
        evicted?.close(promise: nil)
        return id
    }

    func setBusy(_ id: Int, _ busy: Bool) {
        state.withLock { state in
            if let index = state.entries.firstIndex(where: { $0.id == id }) { state.entries[index].busy = busy }
        }
    }

    func remove(_ id: Int) {
        state.withLock { state in state.entries.removeAll { $0.id == id } }
    }
}

/// One connection's requests. NIO calls it on the channel's event loop only.
private final class RequestHandler: ChannelInboundHandler, @unchecked Sendable {
    // SAFETY: NIO confines a handler to its channel's event loop; `responder`, `connections` and the
    // constants are immutable and Sendable; `head` and `deadline` are touched on the event loop only.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder: WorkerHTTPServer.Responder
    private let entry: Int
    private let connections: ConnectionTable
    private let timeout: TimeAmount
    private var head: HTTPRequestHead?
    private var deadline: Scheduled<Void>?

    init(responder: WorkerHTTPServer.Responder, entry: Int, connections: ConnectionTable, timeout: TimeAmount) {
        self.responder = responder
        self.entry = entry
        self.connections = connections
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) { armDeadline(context: context) }

    func handlerRemoved(context: ChannelHandlerContext) { deadline?.cancel() }

    /// Closes the connection unless a whole request arrives within `timeout`.
    private func armDeadline(context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
            connections.setBusy(entry, true)
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            deadline?.cancel()
            deadline = nil
            answer(request, context: context)
        }
    }

    private func answer(_ request: HTTPRequestHead, context: ChannelHandlerContext) {
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
            case "/ready":
                return await responder.ready() ? (.ok, "text/plain", Data("ready\n".utf8))
                    : (.serviceUnavailable, "text/plain", Data("not registered with LiveKit (connecting, reconnecting or draining)\n".utf8))
            case "/worker":
                return (.ok, "application/json", await responder.worker())
            case "/status":
                return (.ok, "application/json", await responder.status())
            case "/metrics" where responder.metrics != nil:
                return (.ok, PrometheusExport.contentType, await responder.metrics?() ?? Data())
            default:
                return (.notFound, "text/plain", Data("not found\n".utf8))
            }
        }.whenSuccess { status, type, body in
            let (handler, context) = loopBound.value
            handler.respond(context: context, status: status, type: type, body: body,
                            keepAlive: keepAlive, head: request.method == .HEAD)
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
        connections.setBusy(entry, false)
        if keepAlive {
            armDeadline(context: context)
        } else {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
