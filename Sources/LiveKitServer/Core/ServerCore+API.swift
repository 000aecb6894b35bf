import Foundation
import LiveKitProtocol
import SwiftProtobuf

/// One RoomService or AgentDispatchService call, decoded from its Twirp body.
public enum APICall: Sendable {
    case createRoom(Livekit_CreateRoomRequest)
    case listRooms(Livekit_ListRoomsRequest)
    case deleteRoom(Livekit_DeleteRoomRequest)
    case listParticipants(Livekit_ListParticipantsRequest)
    case getParticipant(Livekit_RoomParticipantIdentity)
    case removeParticipant(Livekit_RoomParticipantIdentity)
    case updateParticipant(Livekit_UpdateParticipantRequest)
    case mutePublishedTrack(Livekit_MuteRoomTrackRequest)
    case sendData(Livekit_SendDataRequest)
    case updateRoomMetadata(Livekit_UpdateRoomMetadataRequest)
    case createDispatch(Livekit_CreateAgentDispatchRequest)
    case listDispatch(Livekit_ListAgentDispatchRequest)
    case deleteDispatch(Livekit_DeleteAgentDispatchRequest)
}

/// A Twirp error (https://twitchtv.github.io/twirp/docs/spec_v7.html#error-codes): the code string
/// and HTTP status the spec pairs, and a message safe to show the caller.
public struct TwirpError: Error, Sendable, Equatable {
    public let code: String
    public let status: Int
    public let message: String

    public static func unauthenticated(_ message: String) -> TwirpError { .init(code: "unauthenticated", status: 401, message: message) }
    public static func permissionDenied(_ message: String) -> TwirpError { .init(code: "permission_denied", status: 403, message: message) }
    public static func notFound(_ message: String) -> TwirpError { .init(code: "not_found", status: 404, message: message) }
    public static func invalidArgument(_ message: String) -> TwirpError { .init(code: "invalid_argument", status: 400, message: message) }
    public static func malformed(_ message: String) -> TwirpError { .init(code: "malformed", status: 400, message: message) }
    public static func badRoute(_ message: String) -> TwirpError { .init(code: "bad_route", status: 404, message: message) }
    public static func resourceExhausted(_ message: String) -> TwirpError { .init(code: "resource_exhausted", status: 429, message: message) }
    public static func unimplemented(_ message: String) -> TwirpError { .init(code: "unimplemented", status: 501, message: message) }
}

public typealias APIResult = Result<any SwiftProtobuf.Message & Sendable, TwirpError>

extension ServerCore {
    mutating func perform(_ call: APICall, grants: ClaimGrants) -> APIResult {
        let video = grants.effectiveVideo
        switch call {
        case .createRoom(let request):
            guard video.roomCreate else { return .failure(.permissionDenied("CreateRoom needs the roomCreate grant")) }
            return createRoomCall(request)
        case .listRooms(let request):
            guard video.roomList else { return .failure(.permissionDenied("ListRooms needs the roomList grant")) }
            var response = Livekit_ListRoomsResponse()
            let names = Set(request.names)
            response.rooms = rooms.keys.sorted().filter { names.isEmpty || names.contains($0) }.compactMap { rooms[$0]?.info }
            return .success(response)
        case .deleteRoom(let request):
            guard video.roomCreate else { return .failure(.permissionDenied("DeleteRoom needs the roomCreate grant")) }
            guard rooms[request.room] != nil else { return .failure(.notFound("room \(request.room) does not exist")) }
            closeRoom(request.room, reason: .roomDeleted)
            return .success(Livekit_DeleteRoomResponse())
        case .listParticipants(let request):
            if let error = admin(video, room: request.room, call: "ListParticipants") { return .failure(error) }
            guard rooms[request.room] != nil else { return .failure(.notFound("room \(request.room) does not exist")) }
            var response = Livekit_ListParticipantsResponse()
            response.participants = rooms[request.room]?.orderedParticipants.map(\.info) ?? []
            return .success(response)
        case .getParticipant(let request):
            return withParticipant(request.room, request.identity, video, "GetParticipant") { _, participant in
                .success(participant.info)
            }
        case .removeParticipant(let request):
            return withParticipant(request.room, request.identity, video, "RemoveParticipant") { core, participant in
                core.removeSignal(participant.connection, reason: .participantRemoved, closeReason: "removed by the API")
                return .success(Livekit_RemoveParticipantResponse())
            }
        case .updateParticipant(let request):
            return withParticipant(request.room, request.identity, video, "UpdateParticipant") { core, participant in
                core.updateParticipantCall(request, participant)
            }
        case .mutePublishedTrack(let request):
            return withParticipant(request.room, request.identity, video, "MutePublishedTrack") { core, participant in
                guard var track = participant.info.tracks.first(where: { $0.sid == request.trackSid }) else {
                    return .failure(.notFound("participant \(request.identity) has no track \(request.trackSid)"))
                }
                core.setMuted(track.sid, muted: request.muted, room: request.room, sid: participant.info.sid)
                var mute = Livekit_MuteTrackRequest()
                mute.sid = track.sid
                mute.muted = request.muted
                var message = Livekit_SignalResponse()
                message.mute = mute
                core.send(message, to: participant.connection)
                track.muted = request.muted
                var response = Livekit_MuteRoomTrackResponse()
                response.track = track
                return .success(response)
            }
        case .sendData(let request):
            if let error = admin(video, room: request.room, call: "SendData") { return .failure(error) }
            guard rooms[request.room] != nil else { return .failure(.notFound("room \(request.room) does not exist")) }
            return .failure(.unimplemented("SendData needs the data plane (data channels), which this server does not have yet"))
        case .updateRoomMetadata(let request):
            if let error = admin(video, room: request.room, call: "UpdateRoomMetadata") { return .failure(error) }
            guard var room = rooms[request.room] else { return .failure(.notFound("room \(request.room) does not exist")) }
            room.info.metadata = request.metadata
            rooms[request.room] = room
            var update = Livekit_RoomUpdate()
            update.room = room.info
            var message = Livekit_SignalResponse()
            message.roomUpdate = update
            for participant in room.orderedParticipants { send(message, to: participant.connection) }
            return .success(room.info)
        case .createDispatch(let request):
            if let error = admin(video, room: request.room, call: "CreateDispatch") { return .failure(error) }
            guard !request.room.isEmpty else { return .failure(.invalidArgument("CreateDispatch needs a room")) }
            if rooms[request.room] == nil {
                guard rooms.count < configuration.maximumRooms else { return .failure(.resourceExhausted("too many rooms")) }
                createRoom(request.room, configuration: nil)
            }
            var agent = Livekit_RoomAgentDispatch()
            agent.agentName = request.agentName
            agent.metadata = request.metadata
            agent.attributes = request.attributes
            guard let dispatch = createDispatch(agent, room: request.room) else {
                return .failure(.resourceExhausted("room \(request.room) has too many dispatches"))
            }
            return .success(dispatch)
        case .listDispatch(let request):
            if let error = admin(video, room: request.room, call: "ListDispatch") { return .failure(error) }
            var response = Livekit_ListAgentDispatchResponse()
            response.agentDispatches = (rooms[request.room]?.dispatches ?? [])
                .filter { request.dispatchID.isEmpty || $0.id == request.dispatchID }
            return .success(response)
        case .deleteDispatch(let request):
            if let error = admin(video, room: request.room, call: "DeleteDispatch") { return .failure(error) }
            guard var room = rooms[request.room], let index = room.dispatches.firstIndex(where: { $0.id == request.dispatchID }) else {
                return .failure(.notFound("dispatch \(request.dispatchID) does not exist in room \(request.room)"))
            }
            var dispatch = room.dispatches.remove(at: index)
            dispatch.state.deletedAt = unixMilliseconds * 1_000_000
            rooms[request.room] = room
            for jobID in jobs.keys.sorted() where jobs[jobID]?.job.dispatchID == dispatch.id {
                guard let record = jobs.removeValue(forKey: jobID) else { continue }
                deadlines[.availability(jobID)] = nil
                if let worker = record.worker, record.assigned { terminate(jobID, worker: worker) }
            }
            return .success(dispatch)
        }
    }

    /// LiveKit's `EnsureAdminPermission`: roomAdmin for this very room.
    private func admin(_ video: VideoGrant, room: String, call: String) -> TwirpError? {
        guard !room.isEmpty else { return .invalidArgument("\(call) needs a room") }
        guard video.roomAdmin, video.room == room else {
            return .permissionDenied("\(call) needs the roomAdmin grant for room \(room)")
        }
        return nil
    }

    private mutating func withParticipant(
        _ room: String, _ identity: String, _ video: VideoGrant, _ call: String,
        _ body: (inout ServerCore, ServerParticipant) -> APIResult
    ) -> APIResult {
        if let error = admin(video, room: room, call: call) { return .failure(error) }
        guard let participant = rooms[room]?.participant(identity: identity) else {
            return .failure(.notFound("participant \(identity) is not in room \(room)"))
        }
        return body(&self, participant)
    }

    private mutating func createRoomCall(_ request: Livekit_CreateRoomRequest) -> APIResult {
        guard !request.name.isEmpty, request.name.utf8.count <= 256 else {
            return .failure(.invalidArgument("CreateRoom needs a name of 1 to 256 bytes"))
        }
        if let existing = rooms[request.name] { return .success(existing.info) }
        guard rooms.count < configuration.maximumRooms else { return .failure(.resourceExhausted("too many rooms")) }
        let info = createRoom(request.name, configuration: nil, emptyTimeout: request.emptyTimeout,
                              departureTimeout: request.departureTimeout, maxParticipants: request.maxParticipants,
                              metadata: request.metadata)
        dispatchRoomAgents(request.name, tokenAgents: request.agents)
        return .success(rooms[request.name]?.info ?? info)
    }

    private mutating func updateParticipantCall(_ request: Livekit_UpdateParticipantRequest,
                                                _ current: ServerParticipant) -> APIResult {
        var participant = current
        apply(metadata: request.metadata, name: request.name, attributes: request.attributes, to: &participant)
        if request.hasPermission {
            participant.info.permission = request.permission
            participant.grant.canPublish = request.permission.canPublish
            participant.grant.canSubscribe = request.permission.canSubscribe
            participant.grant.canPublishData = request.permission.canPublishData
            participant.grant.canUpdateOwnMetadata = request.permission.canUpdateMetadata
        }
        rooms[request.room]?.participants[participant.info.sid] = participant
        broadcast([participant.info], in: request.room, except: nil)
        return .success(participant.info)
    }
}
