import Foundation
import LiveKitProtocol
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import RTC
import SansIO

/// The embedded LiveKit-compatible server: HTTP and WebSockets on swift-nio, driving one
/// `ServerCore` from one ordered inbox.
///
/// ```swift
/// let server = try await LiveKitServer(configuration: ServerConfiguration(keys: .development), logger: logger)
/// print(server.url)        // ws://127.0.0.1:7880, accepting connections already
/// try await server.run()  // until the task is cancelled
/// ```
public final class LiveKitServer: Sendable {
    public let configuration: ServerConfiguration
    /// The bound HTTP port (the configured one, or the kernel's pick for 0).
    public let port: Int
    private let channel: any Channel
    private let context: ServerHandlerContext
    private let media: MediaPlane
    private let logger: Logger

    /// Binds the HTTP port; connections are accepted (and queued for the core) from here on.
    public init(configuration: ServerConfiguration, logger: Logger) async throws {
        let context = ServerHandlerContext(
            configuration: configuration, verifier: TokenVerifier(keys: configuration.keys.secrets),
            inbox: SessionInbox(), connections: ServerConnections())
        let maximumFrame = configuration.maximumMessageSize
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: maximumFrame,
                    shouldUpgrade: { channel, head in
                        switch ServerRoute.decide(head, verifier: context.verifier) {
                        case .signal, .worker: channel.eventLoop.makeSucceededFuture(HTTPHeaders())
                        default: channel.eventLoop.makeSucceededFuture(nil)
                        }
                    },
                    upgradePipelineHandler: { channel, head in
                        let kind: ServerWebSocketHandler.Kind
                        switch ServerRoute.decide(head, verifier: context.verifier) {
                        case .signal(let join): kind = .signal(join)
                        case .worker: kind = .worker
                        default: return channel.close()
                        }
                        return channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 256,
                                                         maxAccumulatedFrameSize: maximumFrame))
                            try channel.pipeline.syncOperations.addHandler(ServerWebSocketHandler(kind: kind, context: context))
                        }
                    })
                let http = ServerHTTPHandler(context: context)
                var limits = NIOHTTPDecoderLimitConfiguration()
                limits.maxHeaderFieldSize = 16 * 1024
                limits.maxHeaderListSize = 32 * 1024
                limits.maxHeaderFieldCount = 100
                return channel.pipeline.configureHTTPServerPipeline(
                    withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                        context.pipeline.syncOperations.removeHandler(http, promise: nil)
                    }),
                    withDecoderLimitConfiguration: limits
                ).flatMap { channel.pipeline.addHandler(http) }
            }
        let inbox = context.inbox
        media = try await MediaPlane.bind(host: configuration.host, port: configuration.rtcPort, logger: logger) { event in
            inbox.send(.media(event))
        }
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            await media.close()
            throw error
        }
        self.port = channel.localAddress?.port ?? configuration.port
        self.configuration = configuration
        self.context = context
        self.logger = logger
    }

    /// The bound UDP media port.
    public var rtcPort: Int { media.port }

    /// The URL clients and workers use.
    public var url: String { configuration.url(port: port) }

    /// Runs the core until the task is cancelled, then closes every connection and the listener.
    public func run() async {
        var core = ServerCore(configuration: configuration,
                              epoch: (ContinuousClock.now, Int64(Date().timeIntervalSince1970 * 1000)),
                              seed: UInt64.random(in: .min ... .max))
        logger.info("LiveKit server listening", metadata: ["server.url": "\(url)", "server.rtc_port": "\(rtcPort)"])
        loop: while true {
            switch await context.inbox.next(deadline: core.nextDeadline) {
            case .input(let input): core.handle(input, now: .now)
            case .deadline: core.handle(.timeout, now: .now)
            case .finished: break loop
            }
            while let output = core.pollOutput() { carryOut(output) }
        }
        context.inbox.finish()
        for promise in context.connections.takeAllReplies() {
            promise.succeed(.failure(TwirpError(code: "unavailable", status: 503, message: "the server is stopping")))
        }
        for channel in context.connections.allChannels { channel.close(promise: nil) }
        await media.close()
        try? await channel.close()
    }

    private func carryOut(_ output: ServerCore.Output) {
        switch output {
        case .send(let id, let data):
            guard let channel = context.connections.channel(id) else { return }
            let frame = WebSocketFrame(fin: true, opcode: .binary, data: channel.allocator.buffer(bytes: data))
            channel.writeAndFlush(frame, promise: nil)
        case .close(let id, let reason):
            guard let channel = context.connections.channel(id) else { return }
            logger.debug("closing a connection", metadata: ["connection.id": "\(id)", "reason": "\(reason)"])
            var data = channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: .normalClosure)
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)).whenComplete { _ in
                channel.close(promise: nil)
            }
        case .reply(let id, let result):
            context.connections.takeReply(id)?.succeed(result)
        case .media(let command):
            media.execute(command)
        case .event(let event):
            log(event)
        }
    }

    private func log(_ event: ServerEvent) {
        switch event {
        case .roomCreated(let room): logger.info("room created", metadata: ["room.name": "\(room)"])
        case .roomClosed(let room): logger.info("room closed", metadata: ["room.name": "\(room)"])
        case .participantJoined(let room, let identity, let sid):
            logger.info("participant joined", metadata: ["room.name": "\(room)", "participant.identity": "\(identity)",
                                                         "participant.sid": "\(sid)"])
        case .participantLeft(let room, let identity, let reason):
            logger.info("participant left", metadata: ["room.name": "\(room)", "participant.identity": "\(identity)",
                                                       "reason": "\(reason)"])
        case .workerRegistered(let workerID, let agentName):
            logger.info("worker registered", metadata: ["worker.id": "\(workerID)", "agent.name": "\(agentName)"])
        case .workerLeft(let workerID): logger.info("worker left", metadata: ["worker.id": "\(workerID)"])
        case .jobOffered(let jobID, let workerID):
            logger.debug("job offered", metadata: ["job.id": "\(jobID)", "worker.id": "\(workerID)"])
        case .jobAssigned(let jobID, let room, let workerID):
            logger.info("job assigned", metadata: ["job.id": "\(jobID)", "room.name": "\(room)", "worker.id": "\(workerID)"])
        case .jobEnded(let jobID, let status): logger.info("job ended", metadata: ["job.id": "\(jobID)", "job.status": "\(status)"])
        case .protocolError(let message): logger.warning("\(message)")
        }
    }
}
