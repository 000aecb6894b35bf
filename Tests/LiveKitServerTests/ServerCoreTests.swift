import Foundation
import LiveKitProtocol
import Testing
@testable import LiveKitServer

/// The server core on a virtual clock: one layer, our own frames (the official SDKs judge the wire
/// in OfficialSDKSignalTests and friends).
@Suite("Server core")
struct ServerCoreTests {
    var core = ServerCore(configuration: ServerConfiguration(keys: .development),
                          epoch: (ContinuousClock.now, 1_700_000_000_000), seed: 7)
    var clock: ContinuousClock.Instant { core.now }

    static func grants(_ identity: String, room: String = "r1", _ edit: (inout VideoGrant) -> Void = { _ in }) -> ClaimGrants {
        var grants = ClaimGrants()
        grants.identity = identity
        var video = VideoGrant.join(room: room)
        edit(&video)
        grants.video = video
        return grants
    }

    mutating func drain() -> [ServerCore.Output] {
        var outputs: [ServerCore.Output] = []
        while let output = core.pollOutput() { outputs.append(output) }
        return outputs
    }

    mutating func responses(to connection: ServerCore.ConnectionID) -> [Livekit_SignalResponse] {
        drain().compactMap {
            guard case .send(connection, let data) = $0 else { return nil }
            return try? Livekit_SignalResponse(serializedBytes: data)
        }
    }

    mutating func join(_ connection: ServerCore.ConnectionID, _ grants: ClaimGrants) {
        core.handle(.signalOpened(connection, SignalJoin(grants: grants)), now: clock)
    }

    @Test("JoinResponse carries the fields the SDKs read: PA_/RM_ sids, ping 5/15, the others")
    mutating func joinResponse() throws {
        join(1, Self.grants("alice"))
        _ = drain()
        join(2, Self.grants("bob"))
        let outputs = drain()
        let toBob = outputs.compactMap { output -> Livekit_SignalResponse? in
            guard case .send(2, let data) = output else { return nil }
            return try? Livekit_SignalResponse(serializedBytes: data)
        }
        let join = try #require(toBob.first?.join)
        #expect(join.participant.sid.hasPrefix("PA_") && join.participant.identity == "bob")
        #expect(join.room.sid.hasPrefix("RM_") && join.room.name == "r1")
        #expect(join.pingInterval == 5 && join.pingTimeout == 15)
        #expect(join.otherParticipants.map(\.identity) == ["alice"])
        let toAlice = outputs.compactMap { output -> Livekit_SignalResponse? in
            guard case .send(1, let data) = output else { return nil }
            return try? Livekit_SignalResponse(serializedBytes: data)
        }
        #expect(toAlice.first?.update.participants.map(\.identity) == ["bob"])
    }

    @Test("A second join with the same identity replaces the first (DUPLICATE_IDENTITY)")
    mutating func duplicateIdentity() {
        join(1, Self.grants("alice"))
        _ = drain()
        join(2, Self.grants("alice"))
        let outputs = drain()
        let kicked = outputs.contains {
            guard case .send(1, let data) = $0, let response = try? Livekit_SignalResponse(serializedBytes: data) else { return false }
            return response.leave.reason == .duplicateIdentity
        }
        #expect(kicked)
        #expect(outputs.contains { if case .close(1, _) = $0 { true } else { false } })
        #expect(core.rooms["r1"]?.participants.count == 1)
    }

    @Test("A token without roomJoin is refused with a leave and a close; the room is not created")
    mutating func refusedJoin() {
        join(1, Self.grants("eve") { $0.roomJoin = false })
        let outputs = drain()
        #expect(outputs.contains { if case .close(1, _) = $0 { true } else { false } })
        #expect(core.rooms.isEmpty)
    }

    @Test("Hidden participants are not announced to others")
    mutating func hidden() {
        join(1, Self.grants("alice"))
        _ = drain()
        join(2, Self.grants("ghost") { $0.hidden = true })
        #expect(responses(to: 1).isEmpty)
    }

    @Test("ping_req gets pong_resp with the client's timestamp")
    mutating func ping() throws {
        join(1, Self.grants("alice"))
        _ = drain()
        var request = Livekit_SignalRequest()
        request.pingReq.timestamp = 12345
        core.handle(.signalFrame(1, try request.serializedBytes()), now: clock)
        #expect(responses(to: 1).first?.pongResp.lastPingTimestamp == 12345)
    }

    @Test("Garbage frames are reported and dropped; the participant stays", arguments: [
        Data([0xff, 0xff, 0xff]), Data(repeating: 0x0a, count: 40), Data(),
    ])
    mutating func garbage(frame: Data) {
        join(1, Self.grants("alice"))
        _ = drain()
        core.handle(.signalFrame(1, frame), now: clock)
        core.handle(.workerFrame(99, frame), now: clock)
        let outputs = drain()
        #expect(!outputs.contains { if case .close = $0 { true } else { false } })
        #expect(core.rooms["r1"]?.participants.count == 1)
    }

    @Test("A silent connection is dropped after ping_timeout; the room closes after its departure timeout")
    mutating func staleAndEmpty() throws {
        join(1, Self.grants("alice"))
        _ = drain()
        let stale = try #require(core.nextDeadline)
        #expect(stale == clock + .seconds(15))
        core.handle(.timeout, now: stale)
        #expect(drain().contains { if case .close(1, _) = $0 { true } else { false } })
        let empty = try #require(core.nextDeadline)
        core.handle(.timeout, now: empty)
        #expect(drain().contains { if case .event(.roomClosed("r1")) = $0 { true } else { false } })
        #expect(core.rooms.isEmpty)
    }

    @Test("A new room is dispatched to a registered worker; its assignment token joins that room as an agent")
    mutating func dispatch() throws {
        core.handle(.workerOpened(10), now: clock)
        var register = Livekit_WorkerMessage()
        register.register.type = .jtRoom
        core.handle(.workerFrame(10, try register.serializedBytes()), now: clock)
        let registered = drain().compactMap { output -> Livekit_ServerMessage? in
            guard case .send(10, let data) = output else { return nil }
            return try? Livekit_ServerMessage(serializedBytes: data)
        }
        #expect(registered.first?.register.workerID.hasPrefix("AW_") == true)

        join(1, Self.grants("caller"))
        let offer = try #require(drain().compactMap { output -> Livekit_ServerMessage? in
            guard case .send(10, let data) = output else { return nil }
            return try? Livekit_ServerMessage(serializedBytes: data)
        }.first)
        let job = offer.availability.job
        #expect(job.id.hasPrefix("AJ_") && job.room.name == "r1")

        var answer = Livekit_WorkerMessage()
        answer.availability.jobID = job.id
        answer.availability.available = true
        answer.availability.participantIdentity = "agent-1"
        core.handle(.workerFrame(10, try answer.serializedBytes()), now: clock)
        let assignment = try #require(drain().compactMap { output -> Livekit_ServerMessage? in
            guard case .send(10, let data) = output else { return nil }
            return try? Livekit_ServerMessage(serializedBytes: data)
        }.first?.assignment)
        let verified = try TokenVerifier(keys: ["devkey": "secret"]).verify(assignment.token, now: core.wallClock)
        #expect(verified.grants.identity == "agent-1")
        #expect(verified.grants.video?.room == "r1" && verified.grants.isAgent)
    }

    @Test("An offer nobody answers in 10 s goes to the next worker")
    mutating func availabilityTimeout() throws {
        for worker in [ServerCore.ConnectionID(10), 11] {
            core.handle(.workerOpened(worker), now: clock)
            var register = Livekit_WorkerMessage()
            register.register.type = .jtRoom
            core.handle(.workerFrame(worker, try register.serializedBytes()), now: clock)
        }
        _ = drain()
        join(1, Self.grants("caller"))
        let first = drain().compactMap { output -> ServerCore.ConnectionID? in
            guard case .send(let id, _) = output, id >= 10 else { return nil }
            return id
        }
        #expect(first == [10])
        core.handle(.timeout, now: clock + .seconds(10))
        let second = drain().compactMap { output -> ServerCore.ConnectionID? in
            guard case .send(let id, _) = output, id >= 10 else { return nil }
            return id
        }
        #expect(second == [11])
    }

    @Test("CreateDispatch by agent name reaches the worker registered under that name, with its metadata")
    mutating func explicitDispatchMetadata() throws {
        for (worker, name) in [(ServerCore.ConnectionID(10), ""), (11, "helper")] {
            core.handle(.workerOpened(worker), now: clock)
            var register = Livekit_WorkerMessage()
            register.register.type = .jtRoom
            register.register.agentName = name
            core.handle(.workerFrame(worker, try register.serializedBytes()), now: clock)
        }
        _ = drain()
        var admin = ClaimGrants()
        admin.video = VideoGrant()
        admin.video?.roomAdmin = true
        admin.video?.room = "r9"
        var request = Livekit_CreateAgentDispatchRequest()
        request.agentName = "helper"
        request.room = "r9"
        request.metadata = #"{"task":"greet"}"#
        core.handle(.api(1, .createDispatch(request), grants: admin), now: clock)
        let outputs = drain()
        let offers = outputs.compactMap { output -> (ServerCore.ConnectionID, Livekit_Job)? in
            guard case .send(let id, let data) = output, let message = try? Livekit_ServerMessage(serializedBytes: data),
                  case .availability(let availability)? = message.message else { return nil }
            return (id, availability.job)
        }
        #expect(offers.map(\.0) == [11])
        #expect(offers.first?.1.metadata == #"{"task":"greet"}"#)
        #expect(offers.first?.1.agentName == "helper")
        let reply = outputs.compactMap { output -> Livekit_AgentDispatch? in
            guard case .reply(1, .success(let message)) = output else { return nil }
            return message as? Livekit_AgentDispatch
        }
        #expect(reply.first?.id.hasPrefix("AD_") == true)
    }
}
