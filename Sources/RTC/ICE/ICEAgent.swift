import SansIO

/// A sans-IO ICE agent (RFC 8445 full or lite, RFC 8839 candidates, RFC 7675 consent freshness).
///
/// The agent owns no sockets and reads no clock. The driver (a PeerConnection) binds one UDP socket per
/// local address, tells the agent about it with `addLocalHostCandidate(_:)`, and then loops:
///
/// 1. feed every received STUN datagram with `handle(.datagram(bytes, from:, to:), now:)`, and call
///    `handle(.timeout, now:)` once at start, after any API call, and whenever `nextDeadline` passes;
/// 2. drain `pollOutput()` until nil, sending every `.transmit` from its `local` socket, then sleep
///    until `nextDeadline` (nil: nothing is scheduled, wait for input). This is the `ProtocolCore`
///    convention every core in Steadfast follows.
///
/// Malformed or unauthenticated datagrams are dropped and counted in `statistics`; they never trap.
public final class ICEAgent {
    /// What the driver feeds in.
    public enum Input: Sendable {
        /// A STUN datagram (check `STUNMessage.isSTUN` first) that arrived on the socket bound to `local`.
        case datagram([UInt8], from: TransportAddress, to: TransportAddress)
        /// A previously announced timeout instant has passed (or the driver just wants the agent to run).
        case timeout
    }

    /// What the agent asks of the driver.
    public enum Output: Sendable, Hashable {
        case transmit([UInt8], from: TransportAddress, to: TransportAddress)
        case event(ICEEvent)
    }

    /// Counters of dropped input, so a driver can log or export them.
    public struct Statistics: Sendable, Hashable {
        /// Not STUN, truncated, or a bad FINGERPRINT.
        public var malformedDatagrams = 0
        /// Requests or responses whose USERNAME or MESSAGE-INTEGRITY did not verify.
        public var unauthenticatedMessages = 0
        /// Responses to no outstanding transaction (late, duplicated or forged).
        public var unmatchedResponses = 0
        /// Datagrams that arrived on an address that is not one of our host candidates.
        public var unknownLocalAddress = 0
        /// Role conflicts seen (RFC 8445 §7.3.1.1), in either direction.
        public var roleConflicts = 0
        public var checksSent = 0
        public var consentRequestsSent = 0
        public var requestsAnswered = 0
    }

    /// Timers, STUN servers and lite mode, fixed for the agent's lifetime.
    public let configuration: ICEConfiguration
    /// 64-bit random value that settles role conflicts (RFC 8445 §7.3.1.1).
    public let tieBreaker: UInt64
    public internal(set) var localCredentials: ICECredentials
    public internal(set) var remoteCredentials: ICECredentials?
    public internal(set) var role: ICERole
    public internal(set) var state: ICEConnectionState = .new
    /// Host candidates (as added) and server-reflexive candidates (as gathered), to signal to the peer.
    public internal(set) var localCandidates: [ICECandidate] = []
    /// Signalled and peer-reflexive remote candidates of the current ICE generation.
    public internal(set) var remoteCandidates: [ICECandidate] = []
    public internal(set) var statistics = Statistics()

    /// An ice-lite peer never checks or nominates, so we must control even as the answerer (RFC 8445 §6.1.1).
    public var remoteIsLite = false {
        didSet { if remoteIsLite && !configuration.isLite { switchRole(to: .controlling) } }
    }

    /// Where DTLS and RTP go now: the nominated pair, or before nomination the best working pair.
    /// After an ICE restart this stays on the old pair until the new generation selects one.
    public var selectedPair: (local: TransportAddress, remote: TransportAddress)? {
        selected.map { ($0.key.local, $0.key.remote) }
    }

    // MARK: Internal state (shared by the ICEAgent+*.swift files)

    var hostCandidates: [ICECandidate] = []
    var pairs: [ICEPairKey: ICECandidatePair] = [:]
    /// RFC 8445 §6.1.4.1 triggered-check queue; `useCandidate` marks our own nomination checks.
    var triggeredChecks: [(key: ICEPairKey, useCandidate: Bool)] = []
    var transactions: [STUNTransactionID: ICETransaction] = [:]
    var selected: SelectedPath?
    /// The pair our USE-CANDIDATE check is running on (controlling side only).
    var nominatingPair: ICEPairKey?
    var remoteEndOfCandidatesSeen = false
    var previousLocalCredentials: ICECredentials?
    var previousRemoteCredentials: ICECredentials?
    /// Bumped by every restart; a selection made in an older generation is replaced by the new one's.
    var generation = 0
    var lastNow: ContinuousClock.Instant?
    var nextCheckAt: ContinuousClock.Instant?
    var checkingStartedAt: ContinuousClock.Instant?
    var firstSuccessAt: ContinuousClock.Instant?
    var gatheringStarted = false
    var foundations: [String: String] = [:]
    var peerReflexiveCount = 0
    var isClosed = false
    private var outputs = OutputQueue<Output>()

    /// Limits that keep a hostile peer from growing our state without bound (RFC 8445 §6.1.2.5 caps pairs).
    static let maxPairs = 100
    static let maxRemoteCandidates = 50

    /// - Parameters:
    ///   - localCredentials: our ufrag/password, also put into SDP.
    ///   - role: the offerer controls (RFC 8445 §6.1.1) unless the remote is lite; a lite agent is always controlled.
    ///   - tieBreaker: random unless a test needs a fixed order.
    public init(
        localCredentials: ICECredentials = .random(), role: ICERole,
        tieBreaker: UInt64 = .random(in: 0 ... .max), configuration: ICEConfiguration = ICEConfiguration()
    ) {
        self.localCredentials = localCredentials
        self.role = configuration.isLite ? .controlled : role
        self.tieBreaker = tieBreaker
        self.configuration = configuration
    }

    // MARK: - Driving

    /// Feeds one input; then drain `pollOutput()`.
    public func handle(_ input: Input, now: ContinuousClock.Instant) {
        lastNow = now
        guard !isClosed else { return }
        switch input {
        case .datagram(let bytes, let from, let to):
            handleDatagram(bytes, from: from, to: to, now: now)
        case .timeout:
            handleTimeout(now: now)
        }
    }

    /// The next queued transmit or event; nil once drained (then sleep until `nextDeadline`).
    public func pollOutput() -> Output? {
        outputs.popFirst()
    }

    /// When the agent next wants `handle(.timeout, now:)`; nil when only input can wake it (or closed).
    public var nextDeadline: ContinuousClock.Instant? {
        isClosed ? nil : earliestDeadline()
    }

    func emit(_ output: Output) { outputs.append(output) }

    func emit(_ event: ICEEvent) { outputs.append(.event(event)) }

    func setState(_ newState: ICEConnectionState) {
        guard newState != state else { return }
        // Drivers wait for `connected`; never jump straight from checking to completed without it.
        if newState == .completed, state == .new || state == .checking {
            state = .connected
            emit(.connectionStateChanged(.connected))
        }
        state = newState
        emit(.connectionStateChanged(newState))
    }

    // MARK: - Candidates and credentials

    /// Registers a local address the driver has bound a UDP socket to; returns its host candidate for SDP.
    /// Also starts server-reflexive gathering from it when `configuration.stunServers` has a server of its family.
    /// Adding the same address twice returns the existing candidate.
    @discardableResult
    public func addLocalHostCandidate(_ address: TransportAddress) -> ICECandidate {
        if let existing = hostCandidates.first(where: { $0.address == address }) { return existing }
        let localPreference = UInt16(65535 - min(hostCandidates.count, 65535))
        let candidate = ICECandidate(
            foundation: foundation(kind: .host, base: address, server: nil),
            priority: ICECandidate.priority(kind: .host, localPreference: localPreference),
            address: address, kind: .host)
        hostCandidates.append(candidate)
        localCandidates.append(candidate)
        for remote in remoteCandidates { addPair(local: candidate, remote: remote) }
        startGathering(from: candidate)
        return candidate
    }

    /// The peer's ufrag/password from its SDP (or a new pair after its ICE restart).
    public func setRemoteCredentials(_ credentials: ICECredentials) {
        remoteCredentials = credentials
    }

    /// A remote candidate from SDP or trickle; may arrive at any time. TCP and non-RTP components are ignored.
    public func addRemoteCandidate(_ candidate: ICECandidate) {
        guard !isClosed, candidate.transport == .udp, candidate.component == 1 else { return }
        if let index = remoteCandidates.firstIndex(where: { $0.address == candidate.address }) {
            // A signalled candidate replaces the peer-reflexive one learned from its checks (RFC 8445 §7.3.1.3).
            guard remoteCandidates[index].kind == .prflx else { return }
            remoteCandidates[index] = candidate
            for key in pairs.keys where key.remote == candidate.address {
                pairs[key]?.remote = candidate
                pairs[key]?.updatePriority(role: role)
            }
            return
        }
        guard remoteCandidates.count < Self.maxRemoteCandidates else { return }
        remoteCandidates.append(candidate)
        for local in hostCandidates { addPair(local: local, remote: candidate) }
    }

    /// The peer signalled `a=end-of-candidates`: once every pair has failed, the agent may fail.
    public func remoteEndOfCandidates() {
        remoteEndOfCandidatesSeen = true
    }

    /// ICE restart (RFC 8445 §9): new local credentials, forget remote credentials, candidates and
    /// checks. Media keeps flowing on the current selected pair until the new generation selects one.
    public func restart(localCredentials: ICECredentials = .random(), role newRole: ICERole? = nil) {
        guard !isClosed else { return }
        previousLocalCredentials = self.localCredentials
        previousRemoteCredentials = remoteCredentials ?? previousRemoteCredentials
        self.localCredentials = localCredentials
        remoteCredentials = nil
        remoteCandidates = []
        pairs = [:]
        triggeredChecks = []
        transactions = transactions.filter { if case .check = $0.value.purpose { false } else { true } }
        nominatingPair = nil
        remoteEndOfCandidatesSeen = false
        checkingStartedAt = nil
        firstSuccessAt = nil
        generation += 1
        if let newRole, !configuration.isLite { switchRole(to: remoteIsLite ? .controlling : newRole) }
        if selected == nil { setState(.new) }
    }

    /// Stops everything; later input is ignored.
    public func close() {
        guard !isClosed else { return }
        setState(.closed)
        isClosed = true
        transactions = [:]
        triggeredChecks = []
        selected = nil
    }

    // MARK: - Helpers

    /// RFC 8445 §5.1.1.3: the same foundation for candidates of one type, base IP and server.
    func foundation(kind: ICECandidate.Kind, base: TransportAddress, server: TransportAddress?) -> String {
        let key = "\(kind.rawValue)|\(base.host)|\(server?.host ?? "")"
        if let existing = foundations[key] { return existing }
        let value = String(foundations.count + 1)
        foundations[key] = value
        return value
    }

    func addPair(local: ICECandidate, remote: ICECandidate) {
        guard local.address.isIPv6 == remote.address.isIPv6 else { return }
        let key = ICEPairKey(local: local.address, remote: remote.address)
        guard pairs[key] == nil else { return }
        var pair = ICECandidatePair(local: local, remote: remote, state: .waiting, role: role)
        // RFC 8445 §6.1.2.6: only one pair per foundation runs at a time; the rest wait frozen.
        if pairs.values.contains(where: { $0.foundation == pair.foundation && $0.isPending }) { pair.state = .frozen }
        if pairs.count >= Self.maxPairs {
            // Keep the best pairs (RFC 8445 §6.1.2.5): drop the lowest-priority pending one, or refuse.
            guard let worst = pairs.values.filter({ $0.isPending }).min(by: { $0.priority < $1.priority }),
                worst.priority < pair.priority
            else { return }
            pairs[worst.key] = nil
        }
        pairs[key] = pair
    }

    func switchRole(to newRole: ICERole) {
        guard newRole != role, !configuration.isLite else { return }
        role = newRole
        for key in pairs.keys { pairs[key]?.updatePriority(role: newRole) }
        if newRole == .controlled { nominatingPair = nil }
    }

    /// Earliest instant the agent needs `handle(.timeout, now:)`. Folds into one optional instead of
    /// building an array: drivers read it after every datagram, on the allocation-free media path.
    private func earliestDeadline() -> ContinuousClock.Instant? {
        var earliest: ContinuousClock.Instant?
        if hasCheckToSend, let lastNow { earliest = earlier(earliest, max(nextCheckAt ?? lastNow, lastNow)) }
        for transaction in transactions.values {
            if transaction.transmissions == 0, let lastNow { earliest = earlier(earliest, lastNow) }
            if let deadline = transaction.deadline { earliest = earlier(earliest, deadline) }
        }
        if let selected, selected.consentEnabled {
            earliest = earlier(earliest, selected.nextConsentAt)
            if state != .disconnected { earliest = earlier(earliest, selected.lastConsentAt + configuration.disconnectedTimeout) }
            earliest = earlier(earliest, selected.lastConsentAt + configuration.consentTimeout)
        }
        if role == .controlling, !configuration.isLite, nominatingPair == nil, let firstSuccessAt,
            !pairs.values.contains(where: { $0.nominated })
        {
            earliest = earlier(earliest, firstSuccessAt + configuration.nominationTimeout)
        }
        if selected == nil, state == .checking, let checkingStartedAt {
            earliest = earlier(earliest, checkingStartedAt + configuration.failureTimeout)
        }
        return earliest
    }

    private func earlier(_ current: ContinuousClock.Instant?, _ candidate: ContinuousClock.Instant) -> ContinuousClock.Instant {
        guard let current else { return candidate }
        return min(current, candidate)
    }

    private func handleTimeout(now: ContinuousClock.Instant) {
        processTransactions(now: now)
        processCheckPacing(now: now)
        processNomination(now: now)
        processConsent(now: now)
        processFailure(now: now)
    }
}

extension ICEAgent: ProtocolCore {
    public static var timeout: Input { .timeout }
}

@available(*, unavailable)
extension ICEAgent: Sendable {}
