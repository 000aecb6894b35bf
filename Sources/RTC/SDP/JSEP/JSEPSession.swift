/// JSEP offer/answer (RFC 8829) for an audio-only peer, as plain value logic: no I/O, no clocks.
///
/// It owns the transceivers and the negotiated m-line order, so re-offers keep mids and reuse
/// m-lines, extension ids stay stable, and the DTLS role never flips (pion/webrtc#1258).
public struct JSEPSession: Sendable {
    /// Our transport parameters, written into every accepted m-line.
    public struct Configuration: Sendable, Hashable {
        public var iceUsernameFragment: String
        public var icePassword: String
        public var fingerprints: [SDPFingerprint]
        /// Candidates known when the description is made (with or without the `candidate:` prefix).
        public var candidates: [String]
        public var endOfCandidates: Bool
        public var cname: String
        public var sessionID: String
        /// Offer/accept transport-wide CC (extmap + rtcp-fb); LiveKit uses none for audio.
        public var enableTransportCC: Bool
        /// Our `a=max-message-size` in a data section: the largest data-channel message we accept.
        public var maxMessageSize = 1_048_576

        public init(
            iceUsernameFragment: String, icePassword: String, fingerprints: [SDPFingerprint],
            candidates: [String] = [], endOfCandidates: Bool = false, cname: String, sessionID: String,
            enableTransportCC: Bool = false
        ) {
            self.iceUsernameFragment = iceUsernameFragment
            self.icePassword = icePassword
            self.fingerprints = fingerprints
            self.candidates = candidates
            self.endOfCandidates = endOfCandidates
            self.cname = cname
            self.sessionID = sessionID
            self.enableTransportCC = enableTransportCC
        }
    }

    /// Identifies a transceiver for the life of the session, before and after it has a mid.
    public struct TransceiverID: Sendable, Hashable {
        public let rawValue: Int
    }

    struct Transceiver: Sendable {
        let id: TransceiverID
        var mid: String?
        var sendTrack: AudioSendTrack?
        var receives: Bool
        var stopped = false
        var createdByRemote = false
        var hasSent = false

        var localDirection: MediaDirection { MediaDirection(sends: sendTrack != nil, receives: receives) }
    }

    /// One m-line of the current (or pending) negotiation.
    struct Slot: Sendable {
        var mid: String
        var kind: MediaDescription.Kind
        var proto: String
        var formats: [String]
        var transceiver: TransceiverID?
        var rejected: Bool
    }

    public var configuration: Configuration
    var transceivers: [Transceiver] = []
    var slots: [Slot] = []
    var pendingOfferSlots: [Slot]?
    /// Header extension ids by URI, shared by all bundled m-lines (RFC 8285 §4.1.1 under BUNDLE).
    var extensionIDs: [String: Int] = [:]
    var sessionVersion: UInt64 = 1
    /// Decided by the first exchange and kept for the session's life.
    public internal(set) var dtlsRole: DTLSRole?
    /// A data channel was created: our offers carry one `m=application` (RFC 8841) until it is rejected.
    public var wantsDataChannel = false

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// True between `createOffer()` and `applyRemoteAnswer(_:)`.
    public var hasPendingLocalOffer: Bool { pendingOfferSlots != nil }

    /// Adds an audio transceiver. A send track first reuses a transceiver a remote offer created
    /// that never sent (JSEP §5.2.2 / addTrack rules), so it rides an existing m-line.
    @discardableResult
    public mutating func addTransceiver(sending track: AudioSendTrack?, receiving: Bool = true) -> TransceiverID {
        if let track, let index = transceivers.firstIndex(where: {
            $0.createdByRemote && $0.sendTrack == nil && !$0.hasSent && !$0.stopped
        }) {
            transceivers[index].sendTrack = track
            transceivers[index].hasSent = true
            transceivers[index].receives = transceivers[index].receives || receiving
            return transceivers[index].id
        }
        let id = TransceiverID(rawValue: transceivers.count)
        transceivers.append(Transceiver(id: id, sendTrack: track, receives: receiving, hasSent: track != nil))
        return id
    }

    /// Replaces (or removes, with nil) the track a transceiver sends; the m-line stays.
    public mutating func setSendTrack(_ track: AudioSendTrack?, on id: TransceiverID) throws(RTCError) {
        let index = try transceiverIndex(id)
        transceivers[index].sendTrack = track
        if track != nil { transceivers[index].hasSent = true }
    }

    /// Stops a transceiver: the next offer rejects its m-line, which later transceivers may recycle.
    public mutating func stopTransceiver(_ id: TransceiverID) throws(RTCError) {
        transceivers[try transceiverIndex(id)].stopped = true
    }

    /// The mid a transceiver is bound to, once an offer or answer assigned one.
    public func mid(of id: TransceiverID) -> String? {
        transceivers.first { $0.id == id }?.mid
    }

    /// Drops a pending local offer (glare handling: roll back, then answer the remote offer).
    public mutating func rollbackLocalOffer() {
        pendingOfferSlots = nil
    }

    func transceiverIndex(_ id: TransceiverID) throws(RTCError) -> Int {
        guard let index = transceivers.firstIndex(where: { $0.id == id }) else {
            throw RTCError(.invalidState, "unknown transceiver \(id.rawValue)")
        }
        return index
    }

    static let supportedExtensions = [
        RTPHeaderExtensionURI.mid, RTPHeaderExtensionURI.audioLevel, RTPHeaderExtensionURI.absoluteCaptureTime,
        RTPHeaderExtensionURI.transportWideCC,
    ]

    var enabledExtensions: [String] {
        Self.supportedExtensions.filter { configuration.enableTransportCC || $0 != RTPHeaderExtensionURI.transportWideCC }
    }
}
