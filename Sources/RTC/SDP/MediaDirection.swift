/// The media direction attributes (RFC 8866 §6.7), always from the point of view of the
/// description's author.
public enum MediaDirection: String, Sendable, Hashable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive

    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    public var sends: Bool { self == .sendrecv || self == .sendonly }
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    /// The same flow seen from the other end: the peer's `sendonly` is our `recvonly`.
    public var reversed: MediaDirection { MediaDirection(sends: receives, receives: sends) }

    /// The directions both sides allow (RFC 3264 §6.1).
    public func intersection(_ other: MediaDirection) -> MediaDirection {
        MediaDirection(sends: sends && other.sends, receives: receives && other.receives)
    }
}
