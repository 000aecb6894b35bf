import Foundation
import LiveKitProtocol
import SwiftProtobuf

/// One `/agent` connection: a worker once it has registered.
struct ServerWorker {
    var id = ""
    var registered = false
    var agentName = ""
    var jobType: Livekit_JobType = .jtRoom
    var permissions = Livekit_ParticipantPermission()
    var available = true
    var load: Float = 0
}

/// One job: a dispatch of an agent into a room, offered to workers until one takes it.
struct ServerJob {
    var job: Livekit_Job
    /// The worker it is offered to or assigned to.
    var worker: ServerCore.ConnectionID?
    var assigned = false
    /// Workers that declined or did not answer, so the next offer goes elsewhere.
    var declinedBy: Set<ServerCore.ConnectionID> = []
}

extension ServerCore {
    // MARK: Worker connections

    mutating func workerOpened(_ connection: ConnectionID) {
        guard workers.count < configuration.maximumWorkers else {
            outputs.append(.close(connection, reason: "the server already has \(configuration.maximumWorkers) workers"))
            return
        }
        workers[connection] = ServerWorker()
        deadlines[.register(connection)] = now + configuration.registerTimeout
    }

    mutating func workerFrame(_ connection: ConnectionID, _ data: Data) {
        guard var worker = workers[connection] else { return }
        let message: Livekit_WorkerMessage
        do { message = try Livekit_WorkerMessage(serializedBytes: data) } catch {
            outputs.append(.event(.protocolError("an /agent frame of \(data.count) bytes is not a WorkerMessage; dropped")))
            return
        }
        switch message.message {
        case .register(let register):
            guard !worker.registered else { return }
            deadlines[.register(connection)] = nil
            worker.registered = true
            worker.id = makeID("AW_")
            worker.agentName = register.agentName
            worker.jobType = register.type
            worker.permissions = register.hasAllowedPermissions ? register.allowedPermissions : Self.defaultAgentPermissions
            workers[connection] = worker
            var response = Livekit_RegisterWorkerResponse()
            response.workerID = worker.id
            response.serverInfo = serverInfo
            var reply = Livekit_ServerMessage()
            reply.register = response
            send(reply, toWorker: connection)
            outputs.append(.event(.workerRegistered(workerID: worker.id, agentName: worker.agentName)))
            dispatchPendingJobs()
        case .updateWorker(let update):
            guard worker.registered else { return }
            if update.hasStatus { worker.available = update.status == .wsAvailable }
            if update.load.isFinite { worker.load = min(max(update.load, 0), 1) }
            workers[connection] = worker
            if worker.available { dispatchPendingJobs() }
        case .availability(let response):
            availabilityAnswered(response, from: connection)
        case .updateJob(let update):
            jobUpdated(update, from: connection)
        case .ping(let ping):
            var pong = Livekit_WorkerPong()
            pong.lastTimestamp = ping.timestamp
            pong.timestamp = unixMilliseconds
            var reply = Livekit_ServerMessage()
            reply.pong = pong
            send(reply, toWorker: connection)
        case .migrateJob, .simulateJob:
            break
        case nil:
            outputs.append(.event(.protocolError("an empty or unknown WorkerMessage; ignored")))
        }
    }

    mutating func workerClosed(_ connection: ConnectionID) {
        deadlines[.register(connection)] = nil
        guard let worker = workers.removeValue(forKey: connection) else { return }
        if worker.registered { outputs.append(.event(.workerLeft(workerID: worker.id))) }
        // Its jobs go to another worker while their room is still open.
        for jobID in jobs.keys.sorted() where jobs[jobID]?.worker == connection {
            deadlines[.availability(jobID)] = nil
            jobs[jobID]?.worker = nil
            jobs[jobID]?.assigned = false
            jobs[jobID]?.job.state.status = .jsPending
            offer(jobID)
        }
    }

    static var defaultAgentPermissions: Livekit_ParticipantPermission {
        var permission = Livekit_ParticipantPermission()
        permission.canPublish = true
        permission.canSubscribe = true
        permission.canPublishData = true
        permission.canUpdateMetadata = true
        return permission
    }

    // MARK: Dispatch

    /// At room creation: the room's explicit dispatches (token `roomConfig.agents`, `CreateRoom.agents`),
    /// or, when there are none, LiveKit's automatic dispatch to unnamed workers.
    mutating func dispatchRoomAgents(_ roomName: String, tokenAgents: [Livekit_RoomAgentDispatch]) {
        let explicit = tokenAgents
        if explicit.isEmpty && (rooms[roomName]?.dispatches.isEmpty ?? true) {
            var automatic = Livekit_RoomAgentDispatch()
            automatic.agentName = ""
            _ = createDispatch(automatic, room: roomName)
        } else {
            for agent in explicit { _ = createDispatch(agent, room: roomName) }
        }
    }

    /// Records a dispatch on the room and starts its job.
    mutating func createDispatch(_ agent: Livekit_RoomAgentDispatch, room roomName: String) -> Livekit_AgentDispatch? {
        guard var room = rooms[roomName], room.dispatches.count < 64 else { return nil }
        var dispatch = Livekit_AgentDispatch()
        dispatch.id = makeID("AD_")
        dispatch.agentName = agent.agentName
        dispatch.room = roomName
        dispatch.metadata = agent.metadata
        dispatch.attributes = agent.attributes
        dispatch.state.createdAt = unixMilliseconds * 1_000_000

        var job = Livekit_Job()
        job.id = makeID("AJ_")
        job.dispatchID = dispatch.id
        job.type = .jtRoom
        job.room = room.info
        job.agentName = agent.agentName
        job.metadata = agent.metadata
        job.attributes = agent.attributes
        job.state.status = .jsPending
        job.state.updatedAt = unixMilliseconds * 1_000_000
        dispatch.state.jobs = [job]
        room.dispatches.append(dispatch)
        rooms[roomName] = room
        jobs[job.id] = ServerJob(job: job)
        offer(job.id)
        return dispatch
    }

    /// Offers the job to the least-loaded available worker registered for its agent name that has
    /// not declined it; with none, it waits for one to register or free up.
    mutating func offer(_ jobID: String) {
        guard var record = jobs[jobID], record.worker == nil, rooms[record.job.room.name] != nil else { return }
        let candidates = workers.filter { connection, worker in
            worker.registered && worker.available && worker.agentName == record.job.agentName
                && worker.jobType == record.job.type && !record.declinedBy.contains(connection)
        }
        guard let (connection, worker) = candidates.min(by: { ($0.value.load, $0.key) < ($1.value.load, $1.key) }) else {
            return
        }
        record.worker = connection
        record.job.room = rooms[record.job.room.name]?.info ?? record.job.room
        jobs[jobID] = record
        var request = Livekit_AvailabilityRequest()
        request.job = record.job
        var message = Livekit_ServerMessage()
        message.availability = request
        send(message, toWorker: connection)
        deadlines[.availability(jobID)] = now + configuration.availabilityTimeout
        outputs.append(.event(.jobOffered(jobID: jobID, workerID: worker.id)))
    }

    mutating func dispatchPendingJobs() {
        for jobID in jobs.keys.sorted() where jobs[jobID]?.worker == nil { offer(jobID) }
    }

    mutating func availabilityTimedOut(_ jobID: String) {
        guard var record = jobs[jobID], let worker = record.worker, !record.assigned else { return }
        outputs.append(.event(.protocolError("worker \(workers[worker]?.id ?? "?") did not answer job \(jobID) in time")))
        record.declinedBy.insert(worker)
        record.worker = nil
        jobs[jobID] = record
        offer(jobID)
    }

    private mutating func availabilityAnswered(_ response: Livekit_AvailabilityResponse, from connection: ConnectionID) {
        guard var record = jobs[response.jobID], record.worker == connection, !record.assigned,
              let worker = workers[connection] else { return }
        deadlines[.availability(response.jobID)] = nil
        guard response.available else {
            record.declinedBy.insert(connection)
            record.worker = nil
            jobs[response.jobID] = record
            offer(response.jobID)
            return
        }
        let identity = response.participantIdentity.isEmpty ? "agent-\(response.jobID)" : response.participantIdentity
        guard let token = agentToken(for: record.job, identity: identity, response: response, worker: worker) else {
            outputs.append(.event(.protocolError("could not mint the agent token for job \(response.jobID)")))
            return
        }
        record.assigned = true
        record.job.state.participantIdentity = identity
        record.job.state.workerID = worker.id
        record.job.state.updatedAt = unixMilliseconds * 1_000_000
        jobs[response.jobID] = record
        updateDispatchJob(record.job)
        var assignment = Livekit_JobAssignment()
        assignment.job = record.job
        assignment.token = token
        var message = Livekit_ServerMessage()
        message.assignment = assignment
        send(message, toWorker: connection)
        outputs.append(.event(.jobAssigned(jobID: response.jobID, room: record.job.room.name, workerID: worker.id)))
    }

    /// LiveKit's `BuildAgentToken`: join the job's room as an agent with the worker's permissions, one hour.
    private func agentToken(for job: Livekit_Job, identity: String, response: Livekit_AvailabilityResponse,
                            worker: ServerWorker) -> String? {
        guard let (key, secret) = configuration.keys.secrets.min(by: { $0.key < $1.key }) else { return nil }
        var token = AccessToken(apiKey: key, apiSecret: secret, identity: identity,
                                timeToLive: configuration.agentTokenLifetime)
        var video = VideoGrant.join(room: job.room.name)
        video.agent = true
        video.canPublish = worker.permissions.canPublish
        video.canSubscribe = worker.permissions.canSubscribe
        video.canPublishData = worker.permissions.canPublishData
        video.canUpdateOwnMetadata = worker.permissions.canUpdateMetadata
        video.hidden = worker.permissions.hidden
        token.grants.video = video
        token.grants.kind = .agent
        token.grants.name = response.participantName
        token.grants.metadata = response.participantMetadata
        token.grants.attributes = response.participantAttributes.merging(["lk.agent_name": job.agentName]) { own, _ in own }
        return try? token.jwt(now: wallClock)
    }

    private mutating func jobUpdated(_ update: Livekit_UpdateJobStatus, from connection: ConnectionID) {
        guard var record = jobs[update.jobID], record.worker == connection else { return }
        record.job.state.status = update.status
        record.job.state.error = update.error
        record.job.state.updatedAt = unixMilliseconds * 1_000_000
        if update.status == .jsRunning && record.job.state.startedAt == 0 {
            record.job.state.startedAt = unixMilliseconds * 1_000_000
        }
        updateDispatchJob(record.job)
        if update.status == .jsSuccess || update.status == .jsFailed {
            record.job.state.endedAt = unixMilliseconds * 1_000_000
            updateDispatchJob(record.job)
            jobs[update.jobID] = nil
            outputs.append(.event(.jobEnded(jobID: update.jobID, status: String(describing: update.status))))
        } else {
            jobs[update.jobID] = record
        }
    }

    private mutating func updateDispatchJob(_ job: Livekit_Job) {
        guard var room = rooms[job.room.name],
              let index = room.dispatches.firstIndex(where: { $0.id == job.dispatchID }) else { return }
        room.dispatches[index].state.jobs = [job]
        rooms[job.room.name] = room
    }

    /// A room closed: its assigned jobs are terminated, the others forgotten.
    mutating func endJobs(inRoom roomName: String) {
        for jobID in jobs.keys.sorted() where jobs[jobID]?.job.room.name == roomName {
            guard let record = jobs.removeValue(forKey: jobID) else { continue }
            deadlines[.availability(jobID)] = nil
            if let worker = record.worker, record.assigned {
                terminate(jobID, worker: worker)
            }
        }
    }

    mutating func terminate(_ jobID: String, worker: ConnectionID) {
        var termination = Livekit_JobTermination()
        termination.jobID = jobID
        var message = Livekit_ServerMessage()
        message.termination = termination
        send(message, toWorker: worker)
    }
}
