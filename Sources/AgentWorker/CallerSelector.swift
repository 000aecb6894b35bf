import LiveKit

/// Which remote audio track the agent listens to, when a room has several: a pure function of the
/// room's events, so the choice is tested without a room.
///
/// - If the dispatch named a participant, only that participant's audio is the caller's.
/// - Otherwise the caller is the first participant (in subscription order) who publishes audio and
///   is a person: a standard or SIP participant. Other agents (and egress, ingress, connectors) are
///   never listened to, and a track whose owner is not known yet waits until it is.
/// - When the caller's track goes or the caller leaves, the next eligible track takes over.
public struct CallerSelector: Sendable {
    /// The participant the job was dispatched for, if any.
    public let requestedIdentity: String?
    /// The track listened to now.
    public private(set) var current: RemoteAudioTrack?
    /// Subscribed tracks in subscription order.
    private var tracks: [RemoteAudioTrack] = []

    public init(requestedIdentity: String? = nil) {
        self.requestedIdentity = requestedIdentity?.isEmpty == true ? nil : requestedIdentity
    }

    /// Applies one room event; returns true when the caller's track changed (to another or to none).
    @discardableResult
    public mutating func handle(_ event: RoomEvent) -> Bool {
        let previous = current?.mid
        switch event {
        case .trackSubscribed(let track):
            if let index = tracks.firstIndex(where: { $0.mid == track.mid }) { tracks[index] = track } else { tracks.append(track) }
            if current?.mid == track.mid, !isEligible(track) { current = nil }
        case .trackUnsubscribed(let mid):
            tracks.removeAll { $0.mid == mid }
            if current?.mid == mid { current = nil }
        case .participantLeft(let participant):
            tracks.removeAll { $0.participant?.sid == participant.sid }
            if current?.participant?.sid == participant.sid { current = nil }
        case .disconnected:
            tracks.removeAll()
            current = nil
        default:
            return false
        }
        if let mid = current?.mid {
            current = tracks.first { $0.mid == mid }  // the latest announcement of the same track
        } else {
            current = tracks.first { isEligible($0) }
        }
        return previous != current?.mid
    }

    /// Whether this frame is the caller's.
    public func isCaller(_ audio: RoomAudio) -> Bool {
        guard let current else { return false }
        return audio.track.mid == current.mid
    }

    private func isEligible(_ track: RemoteAudioTrack) -> Bool {
        guard let participant = track.participant else { return false }
        if let requestedIdentity { return participant.identity == requestedIdentity }
        return participant.kind == .standard || participant.kind == .sip
    }
}
