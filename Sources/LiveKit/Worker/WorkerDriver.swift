import Foundation
import HTTPTypes
import LiveKitProtocol
import Logging
import NIOCore
import NIOSSL
import SteadfastConfig
import WSClient

/// Runs a `WorkerCore` against a LiveKit server: the WebSocket to `<LIVEKIT_URL>/agent` (TLS
/// verified, the worker token in `Authorization: Bearer`), the timers, and the decisions the core
/// leaves to its owner (accept or reject a job, job status, load, drain).
///
/// Events arrive on `events`; `run()` returns when the worker has drained, given up reconnecting,
/// or been cancelled.
public actor WorkerDriver {
    public nonisolated let events: AsyncStream<WorkerEvent>
    private let eventSink: AsyncStream<WorkerEvent>.Continuation
    private let agentURL: URLComponents
    private let tlsConfiguration: TLSConfiguration
    private let apiKey: String
    private let apiSecret: Secret
    private let logger: Logger
    private var core: WorkerCore
    /// Frames for the open connection; nil while disconnected.
    private var outgoing: AsyncStream<Data>.Continuation?
    /// The open (or opening) connection. Unstructured because the core decides when to open one;
    /// cancelled by `.close`, by a newer connection and when `run()` ends.
    private var connection: Task<Void, Never>?
    private var connectionID = 0
    private var finished = false

    /// - Parameters:
    ///   - url: the LiveKit server (`ws(s)://` or `http(s)://`), as in `LIVEKIT_URL`.
    ///   - tlsConfiguration: how `wss://` is verified (the system's trust roots unless a test says otherwise).
    public init(url: URL, apiKey: String, apiSecret: Secret, configuration: WorkerConfiguration = WorkerConfiguration(),
                tlsConfiguration: TLSConfiguration = .makeClientConfiguration(),
                logger: Logger = Logger(label: "steadfast.worker")) throws(ConfigError) {
        agentURL = try LiveKitEndpoint.components(url, path: "/agent")
        self.tlsConfiguration = tlsConfiguration
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.logger = logger
        core = WorkerCore(configuration: configuration)
        (events, eventSink) = AsyncStream.makeStream()
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
        core.start(now: .now)
        perform()
        // The core's timers: status reports, assignment and register timeouts, reconnect backoff.
        while !finished && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
            if let deadline = core.nextDeadline, deadline <= .now { feed(.timeout) }
        }
        finish()
    }

    public func accept(jobID: String, identity: String, name: String, metadata: String = "",
                       attributes: [String: String] = [:]) {
        feed(.accept(jobID: jobID, identity: identity, name: name, metadata: metadata, attributes: attributes))
    }

    public func reject(jobID: String) { feed(.reject(jobID: jobID)) }

    public func report(jobID: String, status: Livekit_JobStatus, error: String = "") {
        feed(.jobStatus(jobID: jobID, status: status, error: error))
    }

    public func setLoad(_ load: Double) { feed(.load(load)) }

    /// Stops taking jobs; `run()` returns once the running jobs have ended.
    public func drain() { feed(.drain) }

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

    private func feed(_ input: WorkerCore.Input) {
        core.handle(input, now: .now)
        perform()
    }

    private func perform() {
        while let output = core.pollOutput() {
            switch output {
            case .send(let frame):
                outgoing?.yield(frame)
            case .connect(let attempt):
                open(attempt: attempt)
            case .close(let reason):
                logger.info("Closing the worker connection: \(reason)")
                closeConnection()
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
            logger.info("Registered with LiveKit", metadata: ["worker.id": "\(workerID)", "server.version": "\(version)"])
        case .disconnected(let reason):
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

    private func open(attempt: Int) {
        closeConnection()
        connectionID += 1
        let id = connectionID
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
        let headers: HTTPFields = [.authorization: "Bearer \(token)"]
        let url = agentURL
        let tlsConfiguration = self.tlsConfiguration
        let logger = self.logger
        if attempt > 0 { logger.info("Reconnecting to LiveKit", metadata: ["attempt": "\(attempt)"]) }
        connection = Task {
            do {
                try await LiveKitWebSocket.connect(url, headers: headers, maxFrameSize: 1 << 20,
                                                   tlsConfiguration: tlsConfiguration, logger: logger) { inbound, outbound, _ in
                    let frames = await self.connected(id)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await frame in frames { try await outbound.write(.binary(ByteBuffer(bytes: frame))) }
                        }
                        group.addTask {
                            for try await message in inbound.messages(maxSize: 1 << 20) {
                                if case .binary(let buffer) = message { await self.received(Data(buffer.readableBytesView), id) }
                            }
                        }
                        // Either side ending ends the connection.
                        _ = try await group.next()
                        group.cancelAll()
                    }
                }
                await self.disconnected(id, reason: "the server closed the connection")
            } catch {
                // One line that names the cause (refused, DNS, TLS, a refused token), never a NIO dump.
                if let underlying = (error as? LiveKitError)?.underlying {
                    logger.debug("Worker connection failed", metadata: ["error": "\(underlying)"])
                }
                let refused = (error as? LiveKitError).map { $0.httpStatus == 401 || $0.httpStatus == 403 } ?? false
                await self.disconnected(id, reason: "\(error)", refused: refused)
            }
        }
    }

    private func connected(_ id: Int) -> AsyncStream<Data> {
        let (frames, sink) = AsyncStream<Data>.makeStream()
        guard id == connectionID else {
            sink.finish()
            return frames
        }
        outgoing = sink
        feed(.connected)
        return frames
    }

    private func received(_ frame: Data, _ id: Int) {
        guard id == connectionID else { return }
        feed(.frame(frame))
    }

    private func disconnected(_ id: Int, reason: String, refused: Bool = false) {
        guard id == connectionID, !finished else { return }
        outgoing?.finish()
        outgoing = nil
        feed(.disconnected(reason: reason, refused: refused))
    }

    private func closeConnection() {
        outgoing?.finish()
        outgoing = nil
        connection?.cancel()
        connection = nil
    }

    private func finish() {
        finished = true
        closeConnection()
        eventSink.finish()
    }
}
