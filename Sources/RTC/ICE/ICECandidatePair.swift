/// Identifies a pair by the two transport addresses a check travels between.
struct ICEPairKey: Hashable, Sendable {
    /// The local base (the socket the driver sends from).
    let local: TransportAddress
    let remote: TransportAddress
}

/// One entry of the check list (RFC 8445 §6.1.2): a local host candidate, a remote candidate, and the
/// state of the checks between them.
struct ICECandidatePair {
    /// RFC 8445 §6.1.2.6 pair states.
    enum State: Equatable {
        case frozen, waiting, inProgress, succeeded, failed
    }

    let local: ICECandidate
    var remote: ICECandidate
    var state: State
    var priority: UInt64 = 0
    /// Our controlling side's USE-CANDIDATE check succeeded, or (controlled) the peer nominated a pair
    /// whose check succeeded (RFC 8445 §7.2.5.3.4, §7.3.1.5).
    var nominated = false
    /// The peer sent USE-CANDIDATE on this pair before our own check of it succeeded.
    var remoteNominated = false

    var key: ICEPairKey { ICEPairKey(local: local.address, remote: remote.address) }
    var foundation: String { local.foundation + "/" + remote.foundation }
    var isPending: Bool { state == .frozen || state == .waiting || state == .inProgress }

    init(local: ICECandidate, remote: ICECandidate, state: State, role: ICERole) {
        self.local = local
        self.remote = remote
        self.state = state
        updatePriority(role: role)
    }

    /// RFC 8445 §6.1.2.3: 2^32·min(G,D) + 2·max(G,D) + (G > D ? 1 : 0), G being the controlling side's priority.
    mutating func updatePriority(role: ICERole) {
        let g = UInt64(role == .controlling ? local.priority : remote.priority)
        let d = UInt64(role == .controlling ? remote.priority : local.priority)
        // Wrapping: a remote priority is peer data, and the RFC's 2^31 bound is not ours to trust.
        priority = (min(g, d) << 32) &+ 2 &* max(g, d) &+ (g > d ? 1 : 0)
    }
}
