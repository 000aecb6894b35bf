/// One ICE candidate (RFC 8445 §5.1, SDP grammar in RFC 8839 §5.1).
public struct ICECandidate: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case host, srflx, prflx, relay

        /// RFC 8445 §5.1.2.2 recommended type preferences.
        public var typePreference: UInt32 {
            switch self {
            case .host: 126
            case .prflx: 110
            case .srflx: 100
            case .relay: 0
            }
        }
    }

    /// Only UDP candidates are paired; TCP ones parse (so a browser's SDP is accepted) and are ignored.
    public enum TransportProtocol: String, Sendable, Hashable {
        case udp, tcp
    }

    /// Equal for candidates of the same type, base IP and server (RFC 8445 §5.1.1.3); drives freezing.
    public var foundation: String
    /// 1 = RTP; with rtcp-mux and BUNDLE, the only component in use.
    public var component: UInt16
    public var transport: TransportProtocol
    public var priority: UInt32
    public var address: TransportAddress
    public var kind: Kind
    /// The base or server address behind a reflexive/relayed candidate (`raddr`/`rport`).
    public var relatedAddress: TransportAddress?

    /// A candidate from its parts; the agent builds its own, tests and SDP parsing use this.
    public init(
        foundation: String, component: UInt16 = 1, transport: TransportProtocol = .udp, priority: UInt32,
        address: TransportAddress, kind: Kind, relatedAddress: TransportAddress? = nil
    ) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.kind = kind
        self.relatedAddress = relatedAddress
    }

    /// RFC 8445 §5.1.2.1: 2^24·type preference + 2^8·local preference + (256 − component).
    public static func priority(kind: Kind, localPreference: UInt16, component: UInt16 = 1) -> UInt32 {
        (kind.typePreference << 24) + (UInt32(localPreference) << 8) + (256 - UInt32(min(component, 256)))
    }
}
