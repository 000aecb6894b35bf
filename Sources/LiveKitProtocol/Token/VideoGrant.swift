/// The `video` claim: what a participant may do in rooms. Field names and defaults follow
/// LiveKit's `auth.VideoGrant`.
///
/// Tri-state permissions are optional: `nil` means "unset", and the effective value follows
/// LiveKit's defaults (see `effectiveCanPublish` and friends). Plain flags default to false and
/// are omitted from the JWT when false, as LiveKit's `omitempty` does.
public struct VideoGrant: Codable, Equatable, Sendable {
    public var roomCreate = false
    public var roomList = false
    public var roomRecord = false
    public var roomAdmin = false
    public var roomJoin = false
    public var room = ""
    /// Room a participant may be forwarded or moved to.
    public var destinationRoom = ""
    public var canPublish: Bool?
    public var canSubscribe: Bool?
    public var canPublishData: Bool?
    /// When non-empty, only these sources may be published: camera, microphone, screen_share, screen_share_audio.
    public var canPublishSources: [String] = []
    public var canUpdateOwnMetadata: Bool?
    public var ingressAdmin = false
    public var hidden = false
    public var recorder = false
    /// Marks the participant as an agent (with `kind: agent`), so the room treats it as one.
    public var agent = false
    public var canSubscribeMetrics: Bool?
    public var canManageAgentSession: Bool?

    public init() {}

    /// Unset means allowed.
    public var effectiveCanPublish: Bool { canPublish ?? true }
    /// Unset means allowed.
    public var effectiveCanSubscribe: Bool { canSubscribe ?? true }
    /// Unset follows `canPublish`.
    public var effectiveCanPublishData: Bool { canPublishData ?? effectiveCanPublish }
    /// Unset means denied: a client may not change its own metadata or attributes by default.
    public var effectiveCanUpdateOwnMetadata: Bool { canUpdateOwnMetadata ?? false }
    public var effectiveCanSubscribeMetrics: Bool { canSubscribeMetrics ?? false }
    public var effectiveCanManageAgentSession: Bool { canManageAgentSession ?? false }

    /// Whether a track from `source` (e.g. "microphone") may be published.
    public func canPublish(source: String) -> Bool {
        guard effectiveCanPublish else { return false }
        return canPublishSources.isEmpty || canPublishSources.contains(source)
    }

    enum CodingKeys: String, CodingKey {
        case roomCreate, roomList, roomRecord, roomAdmin, roomJoin, room, destinationRoom
        case canPublish, canSubscribe, canPublishData, canPublishSources, canUpdateOwnMetadata
        case ingressAdmin, hidden, recorder, agent, canSubscribeMetrics, canManageAgentSession
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        roomCreate = try c.decodeIfPresent(Bool.self, forKey: .roomCreate) ?? false
        roomList = try c.decodeIfPresent(Bool.self, forKey: .roomList) ?? false
        roomRecord = try c.decodeIfPresent(Bool.self, forKey: .roomRecord) ?? false
        roomAdmin = try c.decodeIfPresent(Bool.self, forKey: .roomAdmin) ?? false
        roomJoin = try c.decodeIfPresent(Bool.self, forKey: .roomJoin) ?? false
        room = try c.decodeIfPresent(String.self, forKey: .room) ?? ""
        destinationRoom = try c.decodeIfPresent(String.self, forKey: .destinationRoom) ?? ""
        canPublish = try c.decodeIfPresent(Bool.self, forKey: .canPublish)
        canSubscribe = try c.decodeIfPresent(Bool.self, forKey: .canSubscribe)
        canPublishData = try c.decodeIfPresent(Bool.self, forKey: .canPublishData)
        canPublishSources = try c.decodeIfPresent([String].self, forKey: .canPublishSources) ?? []
        canUpdateOwnMetadata = try c.decodeIfPresent(Bool.self, forKey: .canUpdateOwnMetadata)
        ingressAdmin = try c.decodeIfPresent(Bool.self, forKey: .ingressAdmin) ?? false
        hidden = try c.decodeIfPresent(Bool.self, forKey: .hidden) ?? false
        recorder = try c.decodeIfPresent(Bool.self, forKey: .recorder) ?? false
        agent = try c.decodeIfPresent(Bool.self, forKey: .agent) ?? false
        canSubscribeMetrics = try c.decodeIfPresent(Bool.self, forKey: .canSubscribeMetrics)
        canManageAgentSession = try c.decodeIfPresent(Bool.self, forKey: .canManageAgentSession)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        func flag(_ value: Bool, _ key: CodingKeys) throws { if value { try c.encode(true, forKey: key) } }
        try flag(roomCreate, .roomCreate)
        try flag(roomList, .roomList)
        try flag(roomRecord, .roomRecord)
        try flag(roomAdmin, .roomAdmin)
        try flag(roomJoin, .roomJoin)
        if !room.isEmpty { try c.encode(room, forKey: .room) }
        if !destinationRoom.isEmpty { try c.encode(destinationRoom, forKey: .destinationRoom) }
        try c.encodeIfPresent(canPublish, forKey: .canPublish)
        try c.encodeIfPresent(canSubscribe, forKey: .canSubscribe)
        try c.encodeIfPresent(canPublishData, forKey: .canPublishData)
        if !canPublishSources.isEmpty { try c.encode(canPublishSources, forKey: .canPublishSources) }
        try c.encodeIfPresent(canUpdateOwnMetadata, forKey: .canUpdateOwnMetadata)
        try flag(ingressAdmin, .ingressAdmin)
        try flag(hidden, .hidden)
        try flag(recorder, .recorder)
        try flag(agent, .agent)
        try c.encodeIfPresent(canSubscribeMetrics, forKey: .canSubscribeMetrics)
        try c.encodeIfPresent(canManageAgentSession, forKey: .canManageAgentSession)
    }
}
