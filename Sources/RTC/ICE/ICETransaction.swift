/// An outstanding STUN request of the agent, kept until its response or its last retransmission times out.
struct ICETransaction {
    enum Purpose {
        /// A connectivity check; `role` is what the request claimed, needed to handle a 487 (RFC 8445 §7.2.5.1).
        case check(ICEPairKey, useCandidate: Bool, role: ICERole)
        /// A consent-freshness request on the selected pair (RFC 7675).
        case consent(ICEPairKey)
        /// A binding request to a STUN server to learn a server-reflexive address.
        case gather
    }

    let purpose: Purpose
    let bytes: [UInt8]
    let local: TransportAddress
    let remote: TransportAddress
    /// The password that signed the request; the response must be signed with it too.
    let integrityKey: [UInt8]?
    /// How often it has been sent; 0 means "send at the next timeout".
    var transmissions = 0
    var retransmitTimeout: Duration
    /// When to retransmit (or, after the last transmission, to give up).
    var deadline: ContinuousClock.Instant?
}
