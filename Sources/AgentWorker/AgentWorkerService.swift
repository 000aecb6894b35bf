import Foundation
import LiveKit
import Logging
import SteadfastConfig

/// The worker: registers with LiveKit, accepts jobs for its agent, runs each in its own task,
/// reports their status, and drains on request. `WorkerProcess` runs it as one service of the
/// process's `ServiceGroup`.
public actor AgentWorkerService {
    /// Builds a job's agent and chains; the default job runner joins the room with them (`RoomAgentJob`).
    public typealias PipelineFactory = @Sendable (_ job: WorkerJob) async throws -> RoomAgentJob.Pipeline
    /// Runs one job to its end; throwing reports the job failed. Cancelled when the server terminates
    /// the job, or when the process gives up waiting for a drain.
    public typealias JobRunner = @Sendable (_ job: WorkerJob, _ logger: Logger) async throws -> Void

    private let driver: WorkerDriver
    private let url: URL
    private let agentName: String
    private let runJob: JobRunner
    private let logger: Logger
    /// Running jobs by id. Jobs start when the server assigns them, so they are tasks of their own;
    /// each is cancelled by its termination, reports its own end, and `run()` does not return
    /// before every one has ended.
    private var jobs: [String: Task<Void, Never>] = [:]
    /// For `/metrics`: job outcomes and reconnects as they happen, the rest sampled per scrape.
    private let metrics = WorkerMetrics()
    private var registrations = 0

    /// A worker whose jobs join their room and run an agent session there.
    public init(url: URL, apiKey: String, apiSecret: Secret, agentName: String, hosts: [String],
                configuration: WorkerConfiguration? = nil, logger: Logger,
                makePipeline: @escaping PipelineFactory) throws(ConfigError) {
        try self.init(url: url, apiKey: apiKey, apiSecret: apiSecret, agentName: agentName, configuration: configuration,
                      logger: logger) { job, logger in
            let room = RoomAgentJob(url: job.url, token: job.token, hosts: hosts,
                                    participantIdentity: job.participantIdentity, logger: logger)
            try await room.run(try await makePipeline(job))
        }
    }

    /// A worker whose jobs are whatever `runJob` does (tests run jobs that need no room).
    public init(url: URL, apiKey: String, apiSecret: Secret, agentName: String,
                configuration: WorkerConfiguration? = nil, logger: Logger,
                runJob: @escaping JobRunner) throws(ConfigError) {
        var configuration = configuration ?? WorkerConfiguration()
        configuration.agentName = agentName
        driver = try WorkerDriver(url: url, apiKey: apiKey, apiSecret: apiSecret, configuration: configuration,
                                  logger: logger)
        self.url = url
        self.agentName = agentName
        self.runJob = runJob
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

    /// Serves until drained or the server is gone for good; running jobs are cancelled if it ends
    /// any other way, and it returns only once they have ended.
    @discardableResult
    public func run() async -> Termination {
        let driver = self.driver
        async let serving: Void = driver.run()
        for await event in driver.events {
            switch event {
            case .registered:
                registrations += 1
                if registrations > 1 { metrics.reconnects.increment() }
            case .jobOffered(let job):
                driver.accept(jobID: job.id, identity: "agent-\(job.id)", name: agentName.isEmpty ? "agent" : agentName)
            case .jobAssigned(let job, let jobURL, let token):
                start(WorkerJob(job, url: jobURL.flatMap(URL.init(string:)) ?? url, token: token))
            case .jobTerminated(let jobID):
                logger.info("Job terminated by the server", metadata: ["job.id": "\(jobID)"])
                jobs[jobID]?.cancel()
            default:
                break
            }
        }
        await serving
        for job in jobs.values { job.cancel() }
        while let job = jobs.values.first { await job.value }
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

    /// Stops taking jobs; `run()` returns when the running ones have ended. Safe from any context
    /// (a signal handler, a graceful-shutdown handler): it only queues the request.
    public nonisolated func drain() {
        metrics.draining.record(1)
        driver.drain()
    }

    /// Reports `load` (0…1) to LiveKit, which sends new jobs to the least loaded workers (and this
    /// worker declines jobs at its threshold); also the `steadfast_worker_load` gauge.
    public nonisolated func setLoad(_ load: Double) {
        metrics.load.record(load)
        driver.setLoad(load)
    }

    /// Brings the sampled gauges (registered, active jobs) up to date; `/metrics` calls it per scrape.
    public func sampleMetrics() async {
        metrics.registered.record(await driver.state == .registered ? 1 : 0)
        metrics.activeJobs.record(await driver.activeJobs)
    }

    private func start(_ job: WorkerJob) {
        var jobLogger = logger
        jobLogger[metadataKey: "job.id"] = "\(job.id)"
        jobLogger[metadataKey: "room.name"] = "\(job.roomName)"
        let runJob = self.runJob
        let driver = self.driver
        let metrics = self.metrics
        jobs[job.id] = Task {
            driver.report(jobID: job.id, status: .jsRunning)
            do {
                try await runJob(job, jobLogger)
                driver.report(jobID: job.id, status: .jsSuccess)
                metrics.jobEnded(.success)
            } catch {
                jobLogger.error("Job failed: \(error)")
                driver.report(jobID: job.id, status: .jsFailed, error: "\(error)")
                metrics.jobEnded(Task.isCancelled || error is CancellationError ? .cancelled : .failed)
            }
            self.ended(job.id)
        }
        logger.info("Job started", metadata: ["job.id": "\(job.id)", "room.name": "\(job.roomName)"])
    }

    private func ended(_ jobID: String) { jobs[jobID] = nil }
}
