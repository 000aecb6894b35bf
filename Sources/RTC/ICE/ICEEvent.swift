/// What the agent tells its driver through `ICEAgent.Output.event`.
public enum ICEEvent: Sendable, Hashable {
    case connectionStateChanged(ICEConnectionState)
    /// Send DTLS/RTP from `local` to `remote` from now on.
    case selectedPairChanged(local: TransportAddress, remote: TransportAddress)
    /// A server-reflexive candidate learned from a STUN server; signal it to the peer (trickle).
    case localCandidateGathered(ICECandidate)
    /// Every STUN server has answered or timed out; the driver may now signal end-of-candidates.
    case gatheringComplete
}
