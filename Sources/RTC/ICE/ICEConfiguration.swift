/// Timers and servers for an `ICEAgent`. Defaults follow RFC 8445 §14 and RFC 7675 §5.1.
public struct ICEConfiguration: Sendable {
    /// Ta: the pacing between new connectivity checks (RFC 8445 §14.2 recommends 50 ms).
    public var checkPacing: Duration = .milliseconds(50)
    /// First retransmission timeout of a check; doubles per retransmission (RFC 8489 §6.2.1).
    public var checkRetransmitTimeout: Duration = .milliseconds(250)
    /// Upper bound of the doubling retransmission timeout.
    public var maxRetransmitTimeout: Duration = .milliseconds(1600)
    /// Transmissions of one check (first send included) before the pair fails (RFC 8489 Rc).
    public var maxCheckTransmissions: Int = 7
    /// Consent checks are sent at a random interval in this range (RFC 7675 §5.1: 4–6 s).
    public var consentInterval: ClosedRange<Duration> = .seconds(4) ... .seconds(6)
    /// No authenticated consent response for this long → `disconnected` (still recoverable).
    public var disconnectedTimeout: Duration = .seconds(10)
    /// No authenticated consent response for this long → consent lost, `failed` (RFC 7675: 30 s).
    public var consentTimeout: Duration = .seconds(30)
    /// With no working pair this long after checks began, the agent fails.
    public var failureTimeout: Duration = .seconds(30)
    /// A controlling agent nominates the best working pair once no better pair is still pending,
    /// or at the latest this long after the first pair worked.
    public var nominationTimeout: Duration = .milliseconds(500)
    /// STUN servers queried from every host candidate of the same family to learn server-reflexive candidates.
    public var stunServers: [TransportAddress] = []
    /// Run as an ice-lite agent (RFC 8445 §2.5): never send checks, only answer them, always controlled.
    public var isLite: Bool = false

    /// The defaults above; change fields afterwards.
    public init() {}
}
