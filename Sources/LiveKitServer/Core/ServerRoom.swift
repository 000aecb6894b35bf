import LiveKitProtocol

/// One room as the server keeps it: LiveKit's `Room` message plus its participants in join order
/// and its agent dispatches.
struct ServerRoom {
    var info: Livekit_Room
    /// Participants by sid.
    var participants: [String: ServerParticipant] = [:]
    /// Sids in join order, so lists and updates come out in the order people arrived.
    var order: [String] = []
    var dispatches: [Livekit_AgentDispatch] = []
    /// Whether anyone ever joined: an unused room waits `emptyTimeout`, a left one `departureTimeout`.
    var everJoined = false

    init(info: Livekit_Room) { self.info = info }

    var orderedParticipants: [ServerParticipant] { order.compactMap { participants[$0] } }

    /// Participants that keep a room open: everyone but agents (LiveKit's "dependent" participants),
    /// so a room whose caller left closes and its agent is let go.
    var hasIndependentParticipants: Bool { participants.values.contains { $0.info.kind != .agent } }

    func participant(identity: String) -> ServerParticipant? {
        participants.values.first { $0.info.identity == identity }
    }

    mutating func insert(_ participant: ServerParticipant) {
        participants[participant.info.sid] = participant
        order.append(participant.info.sid)
        everJoined = true
        info.numParticipants = UInt32(participants.count)
    }

    @discardableResult
    mutating func remove(sid: String) -> ServerParticipant? {
        guard let removed = participants.removeValue(forKey: sid) else { return nil }
        order.removeAll { $0 == sid }
        info.numParticipants = UInt32(participants.count)
        info.numPublishers = UInt32(participants.values.filter { !$0.info.tracks.isEmpty }.count)
        return removed
    }
}

/// One participant: what others see (`info`), what its token allows, and its signalling connection.
struct ServerParticipant {
    var info: Livekit_ParticipantInfo
    let connection: ServerCore.ConnectionID
    var grant: VideoGrant
    let autoSubscribe: Bool
    /// Tracks announced with AddTrack whose media has not been negotiated yet, by the client's cid.
    var pendingTracks: [String: Livekit_TrackInfo] = [:]

    /// Bumps the version the SDKs use to drop stale updates (ParticipantInfo.version).
    mutating func touch() { info.version &+= 1 }
}
