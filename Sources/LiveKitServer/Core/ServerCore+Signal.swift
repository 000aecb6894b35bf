import Foundation
import LiveKitProtocol
import SwiftProtobuf

/// What a `/rtc` connection brings: its verified claims and the query's connection settings.
public struct SignalJoin: Sendable {
    public var grants: ClaimGrants
    /// `auto_subscribe` (LiveKit's default is true when absent).
    public var autoSubscribe = true
    /// `protocol` and `client_protocol` from the query.
    public var protocolVersion: Int32 = 0
    public var clientProtocol: Int32 = 0

    public init(grants: ClaimGrants) { self.grants = grants }
}

extension ServerCore {
    // MARK: Join

    mutating func signalOpened(_ connection: ConnectionID, _ join: SignalJoin) {
        let grants = join.grants
        let video = grants.effectiveVideo
        // The HTTP edge refuses these before upgrading; checked again so the core stands alone.
        guard video.roomJoin, !video.room.isEmpty, !grants.identity.isEmpty else {
            refuse(connection, .joinFailure, "the token does not grant joining a room (roomJoin, room, identity)")
            return
        }
        let roomName = video.room
        var created = false
        if rooms[roomName] == nil {
            guard rooms.count < configuration.maximumRooms else {
                refuse(connection, .joinFailure, "the server already has \(configuration.maximumRooms) rooms")
                return
            }
            createRoom(roomName, configuration: grants.roomConfig)
            created = true
        }
        guard var room = rooms[roomName] else { return }
        // A second join with the same identity replaces the first, as LiveKit does.
        if let previous = room.participant(identity: grants.identity) {
            removeSignal(previous.connection, reason: .duplicateIdentity, closeReason: "replaced by a new join")
            room = rooms[roomName] ?? room
        }
        let limit = room.info.maxParticipants > 0
            ? min(Int(room.info.maxParticipants), configuration.maximumParticipantsPerRoom)
            : configuration.maximumParticipantsPerRoom
        guard room.participants.count < limit else {
            refuse(connection, .joinFailure, "room \(roomName) is full (\(limit) participants)")
            return
        }

        let participant = ServerParticipant(
            info: participantInfo(grants, video: video, clientProtocol: join.clientProtocol),
            connection: connection, grant: video, autoSubscribe: join.autoSubscribe)
        let others = room.orderedParticipants.filter { !$0.grant.hidden }.map(\.info)
        room.insert(participant)
        rooms[roomName] = room
        signalConnections[connection] = (roomName, participant.info.sid)
        participantRooms[participant.info.sid] = roomName
        outputs.append(.media(.identify(participant: participant.info.sid, identity: grants.identity, room: roomName,
                                        canPublishData: video.effectiveCanPublishData)))
        deadlines[.roomEmpty(roomName)] = nil
        markSeen(connection)

        var response = Livekit_JoinResponse()
        response.room = room.info
        response.participant = participant.info
        response.otherParticipants = others
        response.serverVersion = configuration.serverVersion
        response.serverInfo = serverInfo
        response.pingInterval = configuration.pingInterval
        response.pingTimeout = configuration.pingTimeout
        // The publisher connection is primary (as for LiveKit's protocol ≤ 2 clients): a client that
        // only listens needs no peer connection until something is published to it.
        response.subscriberPrimary = false
        response.fastPublish = false
        var message = Livekit_SignalResponse()
        message.join = response
        send(message, to: connection)

        outputs.append(.event(.participantJoined(room: roomName, identity: grants.identity, sid: participant.info.sid)))
        if !participant.grant.hidden { broadcast([participant.info], in: roomName, except: participant.info.sid) }
        if created { dispatchRoomAgents(roomName, tokenAgents: grants.roomConfig?.agents ?? []) }
        subscribeToPublished(participant.info.sid, in: roomName)
    }

    private mutating func participantInfo(_ grants: ClaimGrants, video: VideoGrant, clientProtocol: Int32)
        -> Livekit_ParticipantInfo
    {
        var info = Livekit_ParticipantInfo()
        info.sid = makeID("PA_")
        info.identity = grants.identity
        info.name = grants.name
        info.metadata = grants.metadata
        info.attributes = grants.attributes
        info.state = .joined
        info.kind = grants.isAgent ? .agent : Self.kind(grants.kind)
        info.joinedAt = unixMilliseconds / 1000
        info.joinedAtMs = unixMilliseconds
        info.version = 1
        info.clientProtocol = clientProtocol
        info.permission = Self.permission(video)
        return info
    }

    static func permission(_ video: VideoGrant) -> Livekit_ParticipantPermission {
        var permission = Livekit_ParticipantPermission()
        permission.canPublish = video.effectiveCanPublish
        permission.canSubscribe = video.effectiveCanSubscribe
        permission.canPublishData = video.effectiveCanPublishData
        permission.canUpdateMetadata = video.effectiveCanUpdateOwnMetadata
        permission.hidden = video.hidden
        permission.recorder = video.recorder
        permission.agent = video.agent
        permission.canSubscribeMetrics = video.effectiveCanSubscribeMetrics
        permission.canPublishSources = video.canPublishSources.compactMap(Self.trackSource)
        return permission
    }

    static func kind(_ kind: ParticipantKind?) -> Livekit_ParticipantInfo.Kind {
        switch kind?.effective {
        case .ingress?: .ingress
        case .egress?: .egress
        case .sip?: .sip
        case .agent?: .agent
        case .connector?: .connector
        case .bridge?: .bridge
        default: .standard
        }
    }

    static func trackSource(_ name: String) -> Livekit_TrackSource? {
        switch name {
        case "camera": .camera
        case "microphone": .microphone
        case "screen_share": .screenShare
        case "screen_share_audio": .screenShareAudio
        default: nil
        }
    }

    /// Tells the client why it cannot join, then closes.
    private mutating func refuse(_ connection: ConnectionID, _ reason: Livekit_DisconnectReason, _ message: String) {
        var leave = Livekit_LeaveRequest()
        leave.reason = reason
        leave.action = .disconnect
        var response = Livekit_SignalResponse()
        response.leave = leave
        send(response, to: connection)
        outputs.append(.close(connection, reason: message))
        outputs.append(.event(.protocolError("join refused: \(message)")))
    }

    // MARK: Frames

    mutating func signalFrame(_ connection: ConnectionID, _ data: Data) {
        guard let (roomName, sid) = signalConnections[connection] else { return }
        markSeen(connection)
        let request: Livekit_SignalRequest
        do { request = try Livekit_SignalRequest(serializedBytes: data) } catch {
            outputs.append(.event(.protocolError("a /rtc frame of \(data.count) bytes is not a SignalRequest; dropped")))
            return
        }
        switch request.message {
        case .pingReq(let ping):
            var pong = Livekit_Pong()
            pong.lastPingTimestamp = ping.timestamp
            pong.timestamp = unixMilliseconds
            var response = Livekit_SignalResponse()
            response.pongResp = pong
            send(response, to: connection)
        case .ping(let timestamp):
            var response = Livekit_SignalResponse()
            response.pong = timestamp
            send(response, to: connection)
        case .leave:
            removeSignal(connection, reason: .clientInitiated, closeReason: "the client left")
        case .addTrack(let add):
            addTrack(add, room: roomName, sid: sid, connection: connection)
        case .mute(let mute):
            setMuted(mute.sid, muted: mute.muted, room: roomName, sid: sid)
        case .updateMetadata(let update):
            updateOwnMetadata(update, room: roomName, sid: sid, connection: connection)
        case .offer(let offer):
            guard offer.sdp.utf8.count <= 64 * 1024 else {
                outputs.append(.event(.protocolError("\(roomName)/\(sid): an offer over 64 KiB; dropped")))
                return
            }
            offerIDs[sid] = offer.id
            outputs.append(.media(.publisherOffer(participant: sid, sdp: offer.sdp)))
        case .answer(let answer):
            outputs.append(.media(.subscriberAnswer(participant: sid, sdp: answer.sdp)))
        case .trickle(let trickle):
            guard let candidate = Self.candidate(fromInit: trickle.candidateInit) else {
                outputs.append(.event(.protocolError("\(roomName)/\(sid): a trickle whose candidateInit is not candidate JSON")))
                return
            }
            outputs.append(.media(.candidate(participant: sid, subscriber: trickle.target == .subscriber, candidate: candidate)))
        case .subscription, .trackSetting, .updateLayers, .subscriptionPermission, .syncState, .simulate,
             .updateAudioTrack, .updateVideoTrack, .publishDataTrackRequest, .unpublishDataTrackRequest,
             .updateDataSubscription, .storeDataBlobRequest, .getDataBlobRequest:
            break
        case nil:
            outputs.append(.event(.protocolError("\(roomName)/\(sid): an empty or unknown SignalRequest; ignored")))
        }
    }

    private mutating func addTrack(_ add: Livekit_AddTrackRequest, room roomName: String, sid: String,
                                   connection: ConnectionID) {
        guard var participant = rooms[roomName]?.participants[sid] else { return }
        let source = Self.sourceName(add.source)
        guard participant.grant.canPublish(source: source), add.type == .audio || add.type == .video,
              participant.pendingTracks.count < 16, !add.cid.isEmpty, add.cid.utf8.count <= 256 else {
            var response = Livekit_RequestResponse()
            response.reason = .notAllowed
            response.message = "publishing \(source) is not allowed"
            response.addTrack = add
            var message = Livekit_SignalResponse()
            message.requestResponse = response
            send(message, to: connection)
            return
        }
        var track = Livekit_TrackInfo()
        track.sid = makeID("TR_")
        track.type = add.type
        track.name = add.name
        track.source = add.source
        track.muted = add.muted
        track.disableDtx = add.disableDtx
        track.stereo = add.stereo
        track.disableRed = add.disableRed
        track.stream = add.stream
        track.audioFeatures = add.audioFeatures
        track.mimeType = add.type == .audio ? "audio/opus" : "video/vp8"
        participant.pendingTracks[add.cid] = track
        rooms[roomName]?.participants[sid] = participant
        var published = Livekit_TrackPublishedResponse()
        published.cid = add.cid
        published.track = track
        var message = Livekit_SignalResponse()
        message.trackPublished = published
        send(message, to: connection)
    }

    static func sourceName(_ source: Livekit_TrackSource) -> String {
        switch source {
        case .camera: "camera"
        case .microphone: "microphone"
        case .screenShare: "screen_share"
        case .screenShareAudio: "screen_share_audio"
        default: "unknown"
        }
    }

    mutating func setMuted(_ trackSid: String, muted: Bool, room roomName: String, sid: String) {
        guard var participant = rooms[roomName]?.participants[sid],
              let index = participant.info.tracks.firstIndex(where: { $0.sid == trackSid }) else { return }
        participant.info.tracks[index].muted = muted
        participant.touch()
        rooms[roomName]?.participants[sid] = participant
        broadcast([participant.info], in: roomName, except: nil)
    }

    private mutating func updateOwnMetadata(_ update: Livekit_UpdateParticipantMetadata, room roomName: String,
                                            sid: String, connection: ConnectionID) {
        guard var participant = rooms[roomName]?.participants[sid] else { return }
        var response = Livekit_RequestResponse()
        response.requestID = update.requestID
        response.updateMetadata = update
        if !participant.grant.effectiveCanUpdateOwnMetadata {
            response.reason = .notAllowed
            response.message = "the token does not grant canUpdateOwnMetadata"
        } else if update.metadata.utf8.count > 64 * 1024 || update.attributes.count > 256 {
            response.reason = .limitExceeded
            response.message = "metadata is limited to 64 KiB and 256 attributes"
        } else {
            apply(metadata: update.metadata, name: update.name, attributes: update.attributes, to: &participant)
            rooms[roomName]?.participants[sid] = participant
            broadcast([participant.info], in: roomName, except: nil)
        }
        var message = Livekit_SignalResponse()
        message.requestResponse = response
        send(message, to: connection)
    }

    /// LiveKit's merge: empty metadata or name leaves it unchanged; an attribute set to "" is deleted.
    func apply(metadata: String, name: String, attributes: [String: String], to participant: inout ServerParticipant) {
        if !metadata.isEmpty { participant.info.metadata = metadata }
        if !name.isEmpty { participant.info.name = name }
        for (key, value) in attributes {
            if value.isEmpty { participant.info.attributes[key] = nil } else { participant.info.attributes[key] = value }
        }
        participant.touch()
    }

    // MARK: Leaving

    mutating func signalClosed(_ connection: ConnectionID) {
        deadlines[.signalStale(connection)] = nil
        guard signalConnections[connection] != nil else { return }
        removeParticipant(connection, reason: .signalClose)
    }

    /// Tells the participant why it is leaving, closes its connection and removes it.
    mutating func removeSignal(_ connection: ConnectionID, reason: Livekit_DisconnectReason, closeReason: String) {
        var leave = Livekit_LeaveRequest()
        leave.reason = reason
        leave.action = .disconnect
        var response = Livekit_SignalResponse()
        response.leave = leave
        if reason != .clientInitiated { send(response, to: connection) }
        outputs.append(.close(connection, reason: closeReason))
        deadlines[.signalStale(connection)] = nil
        removeParticipant(connection, reason: reason)
    }

    private mutating func removeParticipant(_ connection: ConnectionID, reason: Livekit_DisconnectReason) {
        guard let (roomName, sid) = signalConnections.removeValue(forKey: connection),
              var room = rooms[roomName], var participant = room.remove(sid: sid) else { return }
        rooms[roomName] = room
        participantRooms[sid] = nil
        offerIDs[sid] = nil
        outputs.append(.media(.remove(participant: sid)))
        participant.info.state = .disconnected
        participant.info.disconnectReason = reason
        participant.touch()
        outputs.append(.event(.participantLeft(room: roomName, identity: participant.info.identity,
                                               reason: String(describing: reason))))
        if !participant.grant.hidden { broadcast([participant.info], in: roomName, except: nil) }
        if !room.hasIndependentParticipants {
            deadlines[.roomEmpty(roomName)] = now + .seconds(Int64(room.info.departureTimeout))
        }
    }

    mutating func markSeen(_ connection: ConnectionID) {
        deadlines[.signalStale(connection)] = now + .seconds(Int64(configuration.pingTimeout))
    }

    /// Sends a ParticipantUpdate to everyone in the room but `except`.
    mutating func broadcast(_ participants: [Livekit_ParticipantInfo], in roomName: String, except: String?) {
        guard let room = rooms[roomName] else { return }
        var update = Livekit_ParticipantUpdate()
        update.participants = participants
        var message = Livekit_SignalResponse()
        message.update = update
        for other in room.orderedParticipants where other.info.sid != except {
            send(message, to: other.connection)
        }
    }

    // MARK: Rooms

    @discardableResult
    mutating func createRoom(_ name: String, configuration roomConfig: Livekit_RoomConfiguration?,
                             emptyTimeout: UInt32 = 0, departureTimeout: UInt32 = 0, maxParticipants: UInt32 = 0,
                             metadata: String = "") -> Livekit_Room {
        var info = Livekit_Room()
        info.sid = makeID("RM_")
        info.name = name
        info.emptyTimeout = [emptyTimeout, roomConfig?.emptyTimeout ?? 0].first { $0 > 0 } ?? configuration.emptyTimeout
        info.departureTimeout = [departureTimeout, roomConfig?.departureTimeout ?? 0].first { $0 > 0 }
            ?? configuration.departureTimeout
        info.maxParticipants = [maxParticipants, roomConfig?.maxParticipants ?? 0].first { $0 > 0 } ?? 0
        info.metadata = metadata.isEmpty ? (roomConfig?.metadata ?? "") : metadata
        info.creationTime = unixMilliseconds / 1000
        info.creationTimeMs = unixMilliseconds
        rooms[name] = ServerRoom(info: info)
        deadlines[.roomEmpty(name)] = now + .seconds(Int64(info.emptyTimeout))
        outputs.append(.event(.roomCreated(name)))
        return info
    }

    mutating func closeRoomIfEmpty(_ name: String) {
        guard let room = rooms[name], !room.hasIndependentParticipants else { return }
        closeRoom(name, reason: .roomClosed)
    }

    /// Removes everyone (agents too), ends the room's jobs and forgets the room.
    mutating func closeRoom(_ name: String, reason: Livekit_DisconnectReason) {
        guard let room = rooms[name] else { return }
        for participant in room.orderedParticipants {
            removeSignal(participant.connection, reason: reason, closeReason: "room \(name) closed")
        }
        endJobs(inRoom: name)
        rooms[name] = nil
        deadlines[.roomEmpty(name)] = nil
        outputs.append(.event(.roomClosed(name)))
    }
}
