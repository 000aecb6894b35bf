/// The agent's overall state, named as in the W3C `RTCIceConnectionState`, so a PeerConnection can pass it on.
public enum ICEConnectionState: String, Sendable, Hashable {
    /// Waiting for remote credentials or candidates.
    case new
    /// Connectivity checks are running and nothing works yet.
    case checking
    /// A working pair is selected (not yet nominated, or consent recovered after `disconnected`).
    case connected
    /// The nominated pair is selected.
    case completed
    /// Consent responses stopped for a while; may still recover (RFC 7675 keeps trying until 30 s).
    case disconnected
    /// All checks failed, or consent expired. Only an ICE restart recovers.
    case failed
    /// `close()` was called.
    case closed
}
