import Foundation
import LiveKit
import LiveKitProtocol
import Logging
import SteadfastConfig

/// The worker process: registers with LiveKit, accepts jobs for its agent, runs each in its own
/// task (`RoomAgentJob`), reports their status, and drains on request.
public actor AgentWorkerService {
    public typealias PipelineFactory = @Sendable (_ job: Livekit_Job) async throws -> RoomAgentJob.Pipeline

    private let driver: WorkerDriver
    private let url: URL
    private let agentName: String
    private let hosts: [String]
    private let makePipeline: PipelineFactory
    private let logger: Logger
    /// Running jobs by id. Unstructured because jobs start when the server assigns them; each is
    /// cancelled by its termination or by `drain()`, and reports its own end.
    private var jobs: [String: Task<Void, Never>] = [:]

    public init(url: URL, apiKey: String, apiSecret: Secret, agentName: String, hosts: [String],
                configuration: WorkerConfiguration? = nil, logger: Logger,
                makePipeline: @escaping PipelineFactory) throws(ConfigError) {
        var configuration = configuration ?? WorkerConfiguration()
        configuration.agentName = agentName
        driver = try WorkerDriver(url: url, apiKey: apiKey, apiSecret: apiSecret, configuration: configuration,
                                  logger: logger)
        self.url = url
        self.agentName = agentName
        self.hosts = hosts
        self.makePipeline = makePipeline
        self.logger = logger
    }

    /// How `run()` ended.
    public enum Termination: Sendable, Equatable {
        /// Drained on request (SIGTERM): a clean exit.
        case drained
        /// Gave up connecting (reconnection attempts ran out, or the server refused the token):
        /// the process should exit non-zero so a supervisor sees the failure.
        case gaveUp(reason: String)
        /// The task was cancelled.
        case cancelled
    }

    /// Serves until drained or the server is gone for good.
    @discardableResult
    public func run() async -> Termination {
        let driver = self.driver
        async let serving: Void = driver.run()
        for await event in driver.events {
            switch event {
            case .jobOffered(let job):
                driver.accept(jobID: job.id, identity: "agent-\(job.id)", name: agentName.isEmpty ? "agent" : agentName)
            case .jobAssigned(let job, let jobURL, let token):
                start(job, url: jobURL.flatMap(URL.init(string:)) ?? url, token: token)
            case .jobTerminated(let jobID):
                logger.info("Job terminated by the server", metadata: ["job.id": "\(jobID)"])
                jobs[jobID]?.cancel()
            default:
                break
            }
        }
        await serving
        if let failure = await driver.failure { return .gaveUp(reason: failure) }
        return await driver.state == .drained ? .drained : .cancelled
    }

    /// What `/worker` reports (the fields of LiveKit's WorkerInfo that apply here).
    public struct Info: Codable, Sendable, Equatable {
        public var agentName: String
        public var workerID: String?
        public var state: String
        public var activeJobs: Int
        public var sdkVersion: String
        public var protocolVersion: Int

        enum CodingKeys: String, CodingKey {
            case agentName = "agent_name", workerID = "worker_id", state, activeJobs = "active_jobs"
            case sdkVersion = "sdk_version", protocolVersion = "protocol_version"
        }
    }

    public func info(sdkVersion: String) async -> Info {
        Info(agentName: agentName, workerID: await driver.workerID, state: "\(await driver.state)",
             activeJobs: await driver.activeJobs, sdkVersion: sdkVersion, protocolVersion: 1)
    }

    /// Liveness (`/health`): true while the process can still do its work, which includes
    /// connecting, reconnecting and draining (restarting it would not bring LiveKit back); false
    /// once it has given up (the process then exits non-zero).
    public var isHealthy: Bool {
        get async { await driver.state != .failed }
    }

    /// Readiness (`/ready`): true only while registered with the server and taking jobs; false while
    /// connecting, reconnecting, draining or given up.
    public var isReady: Bool {
        get async { await driver.isReady }
    }

    /// Stops taking jobs; `run()` returns when the running ones have ended.
    public func drain() async {
        driver.drain()
    }

    private func start(_ job: Livekit_Job, url: URL, token: String) {
        let logger = self.logger
        var jobLogger = logger
        jobLogger[metadataKey: "job.id"] = "\(job.id)"
        jobLogger[metadataKey: "room.name"] = "\(job.room.name)"
        let runner = RoomAgentJob(url: url, token: token, hosts: hosts, logger: jobLogger)
        let makePipeline = self.makePipeline
        let driver = self.driver
        jobs[job.id] = Task {
            driver.report(jobID: job.id, status: .jsRunning)
            do {
                try await runner.run(try await makePipeline(job))
                driver.report(jobID: job.id, status: .jsSuccess)
            } catch {
                jobLogger.error("Job failed: \(error)")
                driver.report(jobID: job.id, status: .jsFailed, error: "\(error)")
            }
            self.ended(job.id)
        }
        logger.info("Job started", metadata: ["job.id": "\(job.id)", "room.name": "\(job.room.name)"])
    }

    private func ended(_ jobID: String) { jobs[jobID] = nil }
}
