import Foundation
import LiveKitProtocol
import SansIO
import SwiftProtobuf

/// The `/agent` worker protocol as a sans-IO state machine: registration, job offers, assignments
/// and terminations, status and load reports, reconnection with backoff, and drain.
///
/// The driver owns the WebSocket. It feeds `handle(_:now:)` with connection events and binary
/// frames, carries out what `pollOutput()` returns (send a frame, open or close the connection,
/// surface an event), and calls `handle(.timeout, now:)` at `nextDeadline`. No sockets, threads or
/// clocks inside, so tests drive it frame by frame on a virtual clock.
///
/// Job offers are surfaced as `.jobOffered`; the driver answers with `.accept` or `.reject` (a
/// worker that is draining or at its load threshold declines by itself, as LiveKit's SDKs do).
/// A malformed frame from the server is reported and dropped; it never stops the worker.
public struct WorkerCore: Sendable {
    public enum Input: Sendable {
        /// The WebSocket is open: register.
        case connected
        /// One binary frame (a `ServerMessage`).
        case frame(Data)
        /// The WebSocket closed or failed; the core schedules a reconnect. `refused`: the server
        /// refused the worker's credentials (HTTP 401/403); before the first registration that is a
        /// configuration error no retry can fix, so the worker gives up at once.
        case disconnected(reason: String, refused: Bool = false)
        /// The driver's latest load sample, 0…1.
        case load(Double)
        /// The driver's decision on an offered job.
        case accept(jobID: String, identity: String, name: String, metadata: String = "", attributes: [String: String] = [:])
        case reject(jobID: String, terminate: Bool = false)
        /// A job's progress, reported to the server.
        case jobStatus(jobID: String, status: Livekit_JobStatus, error: String = "")
        /// Stop taking jobs; `.drained` follows when the last job has ended.
        case drain
        case timeout
    }

    public enum Output: Sendable, Equatable {
        /// Send this binary frame (a `WorkerMessage`).
        case send(Data)
        /// Open the WebSocket now (first connection or reconnection).
        case connect(attempt: Int)
        /// Close the WebSocket (register timeout, or the server said go away); a reconnect follows.
        case close(reason: String)
        case event(WorkerEvent)
    }

    public let configuration: WorkerConfiguration
    public private(set) var state: WorkerState = .idle
    public private(set) var workerID: String?
    /// Jobs assigned and not yet ended, by id.
    public private(set) var jobs: [String: Livekit_Job] = [:]
    public var nextDeadline: ContinuousClock.Instant? { deadlines.values.min() }
    /// Registered and taking jobs (not draining): what a readiness probe reports.
    public var isReady: Bool { state == .registered && !draining }

    private var load = 0.0
    private var draining = false
    private var reconnectAttempt = 0
    private var statusSequence: UInt64 = 0
    /// Offers the driver has not answered yet, and accepted offers awaiting their assignment.
    private var offered: [String: Livekit_Job] = [:]
    private var awaitingAssignment: [String: ContinuousClock.Instant] = [:]
    private var deadlines: [Deadline: ContinuousClock.Instant] = [:]
    private var outputs: [Output] = []

    private enum Deadline: Hashable {
        case register, status, reconnect
        case assignment(String)
    }

    public init(configuration: WorkerConfiguration = WorkerConfiguration()) {
        self.configuration = configuration
    }

    /// Starts the first connection.
    public mutating func start(now: ContinuousClock.Instant) {
        guard state == .idle else { return }
        state = .connecting
        outputs.append(.connect(attempt: 0))
    }

    public mutating func pollOutput() -> Output? {
        outputs.isEmpty ? nil : outputs.removeFirst()
    }

    public mutating func handle(_ input: Input, now: ContinuousClock.Instant) {
        switch input {
        case .connected:
            guard state == .connecting else { return }
            state = .registering
            send(.register(registerRequest()))
            deadlines[.register] = now + configuration.registerTimeout
        case .frame(let data):
            receive(data, now: now)
        case .disconnected(let reason, let refused):
            connectionLost(reason, giveUp: refused && workerID == nil, now: now)
        case .load(let value):
            load = value.isFinite ? min(max(value, 0), 1) : 1
        case .accept(let jobID, let identity, let name, let metadata, let attributes):
            accept(jobID, identity: identity, name: name, metadata: metadata, attributes: attributes, now: now)
        case .reject(let jobID, let terminate):
            guard offered.removeValue(forKey: jobID) != nil else { return }
            respond(jobID: jobID, available: false, terminate: terminate)
        case .jobStatus(let jobID, let status, let error):
            reportJob(jobID, status: status, error: error)
        case .drain:
            guard !draining else { return }
            draining = true
            for jobID in offered.keys.sorted() { respond(jobID: jobID, available: false) }
            offered = [:]
            if state == .registered { sendStatus() }
            finishDrainIfIdle()
        case .timeout:
            fireDeadlines(now: now)
        }
    }

    // MARK: Receiving

    private mutating func receive(_ data: Data, now: ContinuousClock.Instant) {
        let message: Livekit_ServerMessage
        do { message = try Livekit_ServerMessage(serializedBytes: data) } catch {
            outputs.append(.event(.protocolError("a server frame of \(data.count) bytes is not a ServerMessage: \(error)")))
            return
        }
        switch message.message {
        case .register(let response):
            guard state == .registering else { return }
            deadlines[.register] = nil
            state = .registered
            workerID = response.workerID
            reconnectAttempt = 0
            outputs.append(.event(.registered(workerID: response.workerID, serverVersion: response.serverInfo.version)))
            if !jobs.isEmpty {
                // After a reconnect: tell the server which jobs this worker still runs.
                var migrate = Livekit_MigrateJobRequest()
                migrate.jobIds = jobs.keys.sorted()
                send(.migrateJob(migrate))
            }
            sendStatus()
            deadlines[.status] = now + configuration.statusInterval
        case .availability(let request):
            offer(request.job)
        case .assignment(let assignment):
            assigned(assignment)
        case .termination(let termination):
            terminated(termination.jobID)
        case .pong:
            break
        case .goAway(let goAway):
            outputs.append(.close(reason: "server asked the worker to go away: \(goAway.reason)"))
            connectionLost("go away", now: now)
        case nil:
            outputs.append(.event(.protocolError("an empty ServerMessage")))
        }
    }

    private mutating func offer(_ job: Livekit_Job) {
        guard state == .registered else { return }
        guard !job.id.isEmpty else {
            outputs.append(.event(.protocolError("an availability request without a job id")))
            return
        }
        if draining || load >= configuration.loadThreshold {
            respond(jobID: job.id, available: false)
            outputs.append(.event(.jobDeclined(jobID: job.id, reason: draining ? "draining" : "at load \(load)")))
            return
        }
        offered[job.id] = job
        outputs.append(.event(.jobOffered(job)))
    }

    private mutating func accept(_ jobID: String, identity: String, name: String, metadata: String,
                                 attributes: [String: String], now: ContinuousClock.Instant) {
        guard offered.removeValue(forKey: jobID) != nil else { return }
        var response = Livekit_AvailabilityResponse()
        response.jobID = jobID
        response.available = true
        response.participantIdentity = identity
        response.participantName = name
        response.participantMetadata = metadata
        response.participantAttributes = attributes.merging(["lk.agent.name": configuration.agentName]) { own, _ in own }
        send(.availability(response))
        deadlines[.assignment(jobID)] = now + configuration.assignmentTimeout
    }

    private mutating func respond(jobID: String, available: Bool, terminate: Bool = false) {
        var response = Livekit_AvailabilityResponse()
        response.jobID = jobID
        response.available = available
        response.terminate = terminate
        send(.availability(response))
    }

    private mutating func assigned(_ assignment: Livekit_JobAssignment) {
        let job = assignment.job
        guard deadlines.removeValue(forKey: .assignment(job.id)) != nil else {
            outputs.append(.event(.protocolError("an assignment for job \(job.id), which this worker did not accept")))
            return
        }
        jobs[job.id] = job
        outputs.append(.event(.jobAssigned(job, url: assignment.hasURL && !assignment.url.isEmpty ? assignment.url : nil,
                                           token: assignment.token)))
        sendStatus()
    }

    private mutating func terminated(_ jobID: String) {
        guard jobs[jobID] != nil else { return }
        outputs.append(.event(.jobTerminated(jobID: jobID)))
    }

    // MARK: Jobs and status

    private mutating func reportJob(_ jobID: String, status: Livekit_JobStatus, error: String) {
        guard jobs[jobID] != nil else { return }
        var update = Livekit_UpdateJobStatus()
        update.jobID = jobID
        update.status = status
        update.error = error
        if state == .registered { send(.updateJob(update)) }
        if status == .jsSuccess || status == .jsFailed {
            jobs[jobID] = nil
            if state == .registered { sendStatus() }
            finishDrainIfIdle()
        }
    }

    private mutating func sendStatus() {
        var status = Livekit_UpdateWorkerStatus()
        status.status = draining || load >= configuration.loadThreshold ? .wsFull : .wsAvailable
        status.load = Float(load)
        status.jobCount = UInt32(jobs.count)
        status.draining = draining
        statusSequence += 1
        status.seq = statusSequence
        send(.updateWorker(status))
    }

    private mutating func finishDrainIfIdle() {
        guard draining, jobs.isEmpty, state != .drained else { return }
        state = .drained
        deadlines = [:]
        outputs.append(.event(.drained))
    }

    // MARK: Connection

    private mutating func connectionLost(_ reason: String, giveUp: Bool = false, now: ContinuousClock.Instant) {
        guard state == .registering || state == .registered || state == .connecting else { return }
        deadlines[.register] = nil
        deadlines[.status] = nil
        // Offers die with the connection; the server re-offers elsewhere.
        offered = [:]
        for key in deadlines.keys { if case .assignment = key { deadlines[key] = nil } }
        outputs.append(.event(.disconnected(reason: reason)))
        if draining && jobs.isEmpty {
            finishDrainIfIdle()
            return
        }
        if giveUp {
            state = .failed
            deadlines = [:]
            outputs.append(.event(.failed(reason)))
            return
        }
        reconnectAttempt += 1
        guard reconnectAttempt <= configuration.maximumReconnectAttempts else {
            state = .failed
            outputs.append(.event(.failed("gave up after \(configuration.maximumReconnectAttempts) reconnection attempts: \(reason)")))
            return
        }
        state = .waitingToReconnect
        deadlines[.reconnect] = now + WorkerConfiguration.reconnectDelay(attempt: reconnectAttempt)
    }

    private mutating func fireDeadlines(now: ContinuousClock.Instant) {
        for (deadline, due) in deadlines where due <= now {
            deadlines[deadline] = nil
            switch deadline {
            case .register:
                outputs.append(.close(reason: "the server did not answer register within \(configuration.registerTimeout)"))
                connectionLost("register timeout", now: now)
            case .status:
                guard state == .registered else { continue }
                sendStatus()
                deadlines[.status] = now + configuration.statusInterval
            case .reconnect:
                guard state == .waitingToReconnect else { continue }
                state = .connecting
                outputs.append(.connect(attempt: reconnectAttempt))
            case .assignment(let jobID):
                outputs.append(.event(.assignmentTimedOut(jobID: jobID)))
            }
        }
    }

    private func registerRequest() -> Livekit_RegisterWorkerRequest {
        var request = Livekit_RegisterWorkerRequest()
        request.type = configuration.jobType
        request.agentName = configuration.agentName
        request.version = configuration.version
        request.allowedPermissions = configuration.permissions
        request.deployment = configuration.deployment
        return request
    }

    private mutating func send(_ message: Livekit_WorkerMessage.OneOf_Message) {
        var envelope = Livekit_WorkerMessage()
        envelope.message = message
        // Serializing a message we built cannot fail; an empty frame would be dropped by the server.
        outputs.append(.send((try? envelope.serializedData()) ?? Data()))
    }
}

/// The shape every protocol core shares: drivers sleep until `nextDeadline`, then feed `.timeout`.
extension WorkerCore: ProtocolCore {
    public static var timeout: Input { .timeout }
}
