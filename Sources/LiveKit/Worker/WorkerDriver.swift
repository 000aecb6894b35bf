import Foundation
import LiveKitProtocol
import Logging
import SansIO
import SteadfastConfig

/// Runs a `WorkerCore` against a LiveKit server: the WebSocket to `<LIVEKIT_URL>/agent` (TLS
/// verified, the worker token in `Authorization: Bearer`), the core's timers, and the decisions the
/// core leaves to its owner (accept or reject a job, job status, load, drain).
///
/// One ordered input queue (`SessionInbox`) takes connection events, job decisions, load samples and
/// drain; one loop feeds them to the core in arrival order and otherwise sleeps until the core's
/// `nextDeadline` (no polling). The connection is the shared `WebSocketConnectionLoop`, reconnecting
/// when the core says (`.whenOpened`: LiveKit's backoff lives in the core).
///
/// Events arrive on `events`; `run()` returns when the worker has drained, given up reconnecting,
/// or been cancelled.
public actor WorkerDriver {
    public nonisolated let events: AsyncStream<WorkerEvent>
    private let eventSink: AsyncStream<WorkerEvent>.Continuation
    private let agentURL: URLComponents
    private let apiKey: String
    private let apiSecret: Secret
    private let logger: Logger
    private let inbox: SessionInbox<Input>
    private let connections: WebSocketConnectionLoop
    private var core: WorkerCore
    private var finished = false
    /// The last connection loss logged as a warning: the same cause again (a refused token, an
    /// untrusted certificate, on every retry) is logged at debug level until something changes.
    private var lastLoggedLoss: String?

    private enum Input: Sendable {
        case connection(WebSocketConnectionLoop.Event)
        case core(WorkerCore.Input)
    }

    /// - Parameters:
    ///   - url: the LiveKit server (`ws(s)://` or `http(s)://`), as in `LIVEKIT_URL`.
    ///   - transport: the WebSocket underneath (tests pass one trusting their own certificate).
    public init(url: URL, apiKey: String, apiSecret: Secret, configuration: WorkerConfiguration = WorkerConfiguration(),
                transport: any WebSocketTransport = DefaultWebSocketTransport(),
                logger: Logger = Logger(label: "steadfast.worker")) throws(ConfigError) {
        agentURL = try LiveKitEndpoint.components(url, path: "/agent")
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.logger = logger
        core = WorkerCore(configuration: configuration)
        (events, eventSink) = AsyncStream.makeStream()
        let inbox = SessionInbox<Input>()
        self.inbox = inbox
        connections = WebSocketConnectionLoop(transport: transport, policy: .whenOpened, logger: logger) { event in
            inbox.send(.connection(event))
        }
    }

    /// `wss://host/agent` from a LiveKit URL (http → ws, https → wss, any path kept as a prefix).
    static func agentEndpoint(_ url: URL) throws(ConfigError) -> String {
        guard let endpoint = try LiveKitEndpoint.components(url, path: "/agent").string else {
            throw ConfigError(.invalid, "LIVEKIT_URL \(LiveKitEndpoint.redacted(url)) is not a ws(s) or http(s) URL")
        }
        return endpoint
    }

    // MARK: Running

    /// Connects and serves until drained, failed or cancelled.
    public func run() async {
        guard !finished else { return }
        core.start(now: .now)
        await withTaskGroup(of: Void.self) { group in
            let connections = self.connections
            group.addTask { await connections.run() }
            perform()
            while !finished {
                switch await inbox.next(deadline: core.nextDeadline) {
                case .input(.connection(let event)): connectionEvent(event)
                case .input(.core(let input)): feed(input)
                case .deadline: feed(.timeout)
                case .finished: finished = true
                }
            }
            // Drained or given up: the frames already queued (the last job status) still go out.
            // Cancelled: the group's cancellation ends the connection at once.
            connections.finish(gracefully: true)
        }
        inbox.finish()
        eventSink.finish()
    }

    // Decisions are inputs like any other: queued in order, handled by `run()`'s loop.

    public nonisolated func accept(jobID: String, identity: String, name: String, metadata: String = "",
                                   attributes: [String: String] = [:]) {
        inbox.send(.core(.accept(jobID: jobID, identity: identity, name: name, metadata: metadata, attributes: attributes)))
    }

    public nonisolated func reject(jobID: String) { inbox.send(.core(.reject(jobID: jobID))) }

    public nonisolated func report(jobID: String, status: Livekit_JobStatus, error: String = "") {
        inbox.send(.core(.jobStatus(jobID: jobID, status: status, error: error)))
    }

    public nonisolated func setLoad(_ load: Double) { inbox.send(.core(.load(load))) }

    /// Stops taking jobs; `run()` returns once the running jobs have ended.
    public nonisolated func drain() { inbox.send(.core(.drain)) }

    public var state: WorkerState { core.state }
    /// Registered and taking jobs (see `WorkerCore.isReady`).
    public var isReady: Bool { core.isReady }
    /// Why the worker gave up (set with `.failed`); nil while it has not.
    public private(set) var failure: String?
    /// The id the server gave this worker (nil before the first registration).
    public var workerID: String? { core.workerID }
    /// Jobs assigned and not yet ended.
    public var activeJobs: Int { core.jobs.count }

    // MARK: Core

    private func connectionEvent(_ event: WebSocketConnectionLoop.Event) {
        // Events queued before the core closed or replaced that connection are stale.
        guard connections.isCurrent(event.connection) else { return }
        switch event.kind {
        case .opened: feed(.connected)
        case .frame(let frame): feed(.frame(frame))
        case .closed(let closed): feed(.disconnected(reason: closed.reason, refused: closed.refusedCredentials))
        }
    }

    private func feed(_ input: WorkerCore.Input) {
        core.handle(input, now: .now)
        perform()
    }

    private func perform() {
        while let output = core.pollOutput() {
            switch output {
            case .send(let frame):
                connections.send(frame)
            case .connect(let attempt):
                open(attempt: attempt)
            case .close(let reason):
                logger.info("Closing the worker connection: \(reason)")
                connections.close()
            case .event(let event):
                log(event)
                eventSink.yield(event)
                switch event {
                case .drained: finished = true
                case .failed(let reason):
                    failure = reason
                    finished = true
                default: break
                }
            }
        }
    }

    private func log(_ event: WorkerEvent) {
        switch event {
        case .registered(let workerID, let version):
            lastLoggedLoss = nil
            logger.info("Registered with LiveKit", metadata: ["worker.id": "\(workerID)", "server.version": "\(version)"])
        case .disconnected(let reason) where reason == lastLoggedLoss:
            logger.debug("Worker connection lost again, for the same reason: \(reason)")
        case .disconnected(let reason):
            lastLoggedLoss = reason
            logger.warning("Worker connection lost: \(reason)")
        case .failed(let reason):
            logger.error("Worker gave up: \(reason)")
        case .protocolError(let message):
            logger.warning("Ignored a server frame: \(message)")
        default:
            break
        }
    }

    // MARK: Connection

    /// Opens a connection with a freshly signed worker token (each connection gets its own).
    private func open(attempt: Int) {
        let token: String
        do {
            var grants = AccessToken(apiKey: apiKey, apiSecret: apiSecret.unredactedValue, timeToLive: .seconds(3600))
            var video = VideoGrant()
            video.agent = true
            grants.grants.video = video
            token = try grants.jwt()
        } catch {
            failure = "cannot sign the worker token: \(error)"
            eventSink.yield(.failed("cannot sign the worker token: \(error)"))
            finished = true
            return
        }
        if attempt > 0 { logger.info("Reconnecting to LiveKit", metadata: ["attempt": "\(attempt)"]) }
        connections.open(WebSocketRequest(url: agentURL, bearerToken: token, maximumFrameSize: 1 << 20))
    }
}
