/// What one completed offer/answer exchange decided: everything the ICE, DTLS and RTP layers need.
public struct NegotiatedSession: Sendable, Hashable {
    public var remoteICEUsernameFragment: String
    public var remoteICEPassword: String
    /// The remote is ICE-lite, so we control even when answering (RFC 8445 §6.1.1, str0m#519).
    public var remoteICELite: Bool
    /// `a=candidate` values (no `candidate:` prefix) of the bundle transport's m-line.
    public var remoteCandidates: [String]
    public var remoteEndOfCandidates: Bool
    /// Every remote fingerprint; aiortc sends sha-256, sha-384 and sha-512.
    public var remoteFingerprints: [SDPFingerprint]
    public var dtlsRole: DTLSRole
    public var isICEControlling: Bool
    /// The accepted mids sharing the one transport, tagged m-line first.
    public var bundleMids: [String]
    /// One entry per m-line, in m-line order, rejected ones included.
    public var media: [NegotiatedMedia]

    /// The fingerprint to check the peer certificate against: sha-256 when offered, else the first.
    public var remoteFingerprint: SDPFingerprint? {
        remoteFingerprints.first { $0.algorithm == "sha-256" } ?? remoteFingerprints.first
    }
}

/// The outcome for one m-line.
public struct NegotiatedMedia: Sendable, Hashable {
    public var mid: String
    public var kind: MediaDescription.Kind
    public var rejected: Bool
    /// The local transceiver bound to this m-line; nil for rejected non-audio sections.
    public var transceiver: JSEPSession.TransceiverID?
    public var opusPayloadType: UInt8?
    /// Negotiated header extension ids by URI (see `RTPHeaderExtensionURI`).
    public var extensionIDs: [String: Int]
    /// Our direction: `.sends` means we may send RTP on this m-line.
    public var direction: MediaDirection
    public var remoteSSRCs: [UInt32]
    public var remoteMSID: MediaStreamID?
    /// Data section only: the peer's `a=sctp-port` (5000 when absent, RFC 8841 §5).
    public var remoteSCTPPort: UInt16? = nil
    /// Data section only: the peer's `a=max-message-size` (65,536 when absent, 0 = no limit; RFC 8841 §6).
    public var remoteMaxMessageSize: Int? = nil
}
