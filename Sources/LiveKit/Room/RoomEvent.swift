import Audio
import LiveKitProtocol
import RTC

/// Which of a participant's two peer connections: the one we publish on, or the one the server
/// sends the others' tracks on.
public enum RoomConnection: String, Sendable {
    case publisher, subscriber
}

/// Another participant in the room, as much as an agent needs to tell callers from other agents.
public struct RoomParticipant: Sendable, Hashable {
    /// LiveKit's participant kinds that matter here; the rest (ingress, egress, connectors) are `other`.
    public enum Kind: String, Sendable, Hashable {
        case standard, agent, sip, other
    }

    public var identity: String
    public var sid: String
    public var kind: Kind

    public init(identity: String, sid: String, kind: Kind) {
        self.identity = identity
        self.sid = sid
        self.kind = kind
    }

    init(_ info: Livekit_ParticipantInfo) {
        let kind: Kind = switch info.kind {
        case .standard: .standard
        case .agent: .agent
        case .sip: .sip
        default: .other
        }
        self.init(identity: info.identity, sid: info.sid, kind: kind)
    }
}

/// A remote audio track on the subscriber connection and whose it is.
public struct RemoteAudioTrack: Sendable, Hashable {
    /// The subscriber connection's m-line.
    public var mid: String
    /// The server's track sid (`TR_…`), from the offer's mapping or the msid.
    public var trackSID: String?
    /// Who publishes it; nil until the server has told us (the track is announced again then).
    public var participant: RoomParticipant?

    public init(mid: String, trackSID: String?, participant: RoomParticipant?) {
        self.mid = mid
        self.trackSID = trackSID
        self.participant = participant
    }
}

/// 20 ms of decoded remote audio (48 kHz mono) and the track it came from.
public struct RoomAudio: Sendable {
    public var track: RemoteAudioTrack
    public var frame: AudioFrame

    public init(track: RemoteAudioTrack, frame: AudioFrame) {
        self.track = track
        self.frame = frame
    }
}

/// What went wrong in a room that did not end it.
public enum RoomError: Error, Sendable, CustomStringConvertible {
    /// One of our peer connections failed, or an offer or answer could not be made or applied.
    case media(RoomConnection, RTCError)
    /// The server refused a request (`RequestResponse` with a reason other than ok).
    case requestRefused(String)

    public var description: String {
        switch self {
        case .media(let connection, let error): "the \(connection.rawValue) connection: \(error)"
        case .requestRefused(let message): "the server refused a request: \(message)"
        }
    }
}

/// Why we are no longer in the room.
public enum RoomDisconnectReason: Sendable, CustomStringConvertible {
    /// We left (`leave()` or the task was cancelled).
    case left
    /// The server ended our session.
    case serverLeave(Livekit_DisconnectReason)
    /// No pong within the ping timeout.
    case signallingStale(String)
    /// The server closed the signalling connection.
    case signallingClosed
    /// The signalling connection could not be made or broke.
    case connectionFailed(LiveKitError)

    public var description: String {
        switch self {
        case .left: "we left"
        case .serverLeave(let reason): "the server ended the session: \(reason)"
        case .signallingStale(let reason): "signalling went stale: \(reason)"
        case .signallingClosed: "signalling closed"
        case .connectionFailed(let error): "\(error)"
        }
    }
}

/// What a room client reports, in the order the room's session handled it. Decoded audio travels
/// apart, on `RoomClient.audio`, through a bounded buffer: these events are few and each matters.
public enum RoomEvent: Sendable {
    case joined(room: String, participantSID: String)
    case trackPublished(sid: String)
    case participantJoined(RoomParticipant)
    case participantLeft(RoomParticipant)
    /// A remote audio track arrived on the subscriber connection (again once its owner is known).
    case trackSubscribed(RemoteAudioTrack)
    case trackUnsubscribed(mid: String)
    /// One of our two peer connections changed state.
    case connectionState(RoomConnection, PeerConnection.State)
    /// A LiveKit data channel (`_reliable`, `_lossy`) opened: ours on the publisher connection, the
    /// server's on the subscriber connection.
    case dataChannelOpened(RoomConnection, label: String)
    /// Something arrived on the data plane (a packet, a whole stream on a topic we read, a chat
    /// message), with its sender's identity; or input was dropped. RPC calls reach the registered
    /// handlers instead.
    case data(RoomDataEvent)
    case error(RoomError)
    case disconnected(RoomDisconnectReason)
}

/// Audio counters of one room session: what the bounded buffers dropped.
public struct RoomStats: Sendable, Hashable {
    /// Decoded frames dropped because the consumer of `RoomClient.audio` fell behind.
    public var audioInDropped = 0
    /// Frames to publish dropped because the producer outran real time.
    public var audioOutDropped = 0
    /// Frames waiting to be published.
    public var audioOutQueued = 0
}
