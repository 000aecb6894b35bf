import SansIO

/// One SCTP association carrying WebRTC data channels, as a sans-IO core (`ProtocolCore`).
///
/// Inputs are packets from DTLS (RFC 8261: one SCTP packet per DTLS record), the application's
/// channel operations and `.timeout`; outputs are packets for DTLS and events. The subset is what
/// WebRTC needs (RFC 8831 §6): one path (no multi-homing), simultaneous open, reliable and partially
/// reliable (RFC 3758) delivery, ordered and unordered, stream reset to close (RFC 6525), DCEP
/// (RFC 8832). Time comes only from `now`, so tests run it on a virtual clock.
public struct SCTPAssociation: ProtocolCore {
    public typealias Instant = ContinuousClock.Instant

    public enum Input: Sendable {
        /// Starts the handshake (both WebRTC peers do this once DTLS is up).
        case connect
        /// One SCTP packet from DTLS.
        case packet([UInt8])
        case openChannel(DataChannelOptions)
        case send(channelID: UInt16, DataChannelMessage)
        /// Closes a channel by resetting its stream (RFC 8831 §6.7).
        case closeChannel(UInt16)
        /// `bufferedAmountLowThreshold`: an event fires when the channel's buffered amount falls to it.
        case setBufferedAmountLowThreshold(channelID: UInt16, bytes: Int)
        /// Graceful SHUTDOWN once everything queued is acknowledged.
        case shutdown
        case timeout
    }

    public enum Output: Equatable, Sendable {
        /// An SCTP packet for DTLS to send.
        case transmit([UInt8])
        case event(Event)
    }

    public enum Event: Equatable, Sendable {
        case established
        case channelOpen(DataChannelInfo)
        case message(channelID: UInt16, DataChannelMessage)
        case channelClosed(UInt16)
        case bufferedAmountLow(channelID: UInt16)
        /// The association ended (shutdown, abort, or too many retransmissions); one line why.
        case closed(reason: String)
        /// Bad input from the peer or the application that did not end the association; one line.
        case error(String)
    }

    public struct Configuration: Sendable {
        /// The DTLS client uses even stream ids, the server odd ones (RFC 8832 §6).
        public var isDTLSClient: Bool
        public var localPort: UInt16 = 5000
        public var remotePort: UInt16 = 5000
        /// The largest SCTP packet we send (a DTLS record inside a 1,280-byte IPv6 path, less overhead).
        public var mtu = 1200
        /// Our receive buffer and advertised window (bytes of out-of-order and incomplete messages).
        public var receiveWindow = 2 * 1024 * 1024
        /// The largest message `send` accepts (the wiring step lowers it to the peer's `a=max-message-size`).
        public var maxSendMessageSize = 1024 * 1024
        public var rtoInitial: Duration = .seconds(1)
        public var rtoMin: Duration = .milliseconds(200)
        public var rtoMax: Duration = .seconds(10)
        /// INIT / COOKIE ECHO attempts before giving up (RFC 9260 Max.Init.Retransmits is 8).
        public var maxInitRetransmits = 8
        /// Consecutive T3/T2/reconfig timeouts before the association is declared dead (Association.Max.Retrans).
        public var maxAssociationRetransmits = 10
        public var delayedAckTimeout: Duration = .milliseconds(200)
        /// Seeds the verification tag, initial TSN and cookie secret; tests pass fixed seeds.
        public var seed: UInt64

        public init(isDTLSClient: Bool, seed: UInt64) {
            self.isDTLSClient = isDTLSClient
            self.seed = seed
        }
    }

    public enum State: Equatable, Sendable {
        case closed, cookieWait, cookieEchoed, established
        case shutdownPending, shutdownSent, shutdownReceived, shutdownAckSent
        /// Ended for good (after SHUTDOWN COMPLETE, ABORT or a dead peer).
        case terminated
    }

    public static var timeout: Input { .timeout }

    public let configuration: Configuration
    public internal(set) var state: State = .closed
    public internal(set) var stats = SCTPStats()

    // MARK: Handshake state
    var rng: SplitMix64
    let myTag: UInt32
    let myInitialTSN: UInt32
    let cookieSecret: UInt64
    var peerTag: UInt32 = 0
    var peerSupportsForwardTSN = false
    var peerSupportsReconfig = false
    /// The chunk retransmitted by T1 (INIT or COOKIE ECHO) and its attempt count.
    var t1Chunk: SCTPChunk?
    var t1Deadline: Instant?
    var t1Attempts = 0

    // MARK: Timers and RTT (RFC 9260 §6.3)
    var rto: Duration
    var srtt: Duration?
    var rttvar: Duration = .zero
    var t3Deadline: Instant?
    var t2Deadline: Instant?
    var delayedAckDeadline: Instant?
    var reconfigDeadline: Instant?
    var errorCount = 0

    // MARK: Sending
    var nextTSN: UInt32
    /// The peer's cumulative ack of our TSNs.
    var peerCumulativeAck: UInt32
    var advancedPeerAckPoint: UInt32
    var pending = Queue<OutboundMessage>()
    var inflight = Queue<OutboundChunk>()
    var flightSize = 0
    var cwnd: Int
    var ssthresh: Int
    var partialBytesAcked = 0
    var peerReceiveWindow = 0
    var fastRecoveryExit: UInt32?
    var nextMessageID: UInt64 = 0
    var outboundSSN: [UInt16: UInt16] = [:]
    var forwardTSNNeeded = false
    /// Some chunk may be marked for retransmission (spares a scan of the whole flight per flush).
    var retransmitsQueued = false
    var control: [SCTPChunk] = []

    // MARK: Receiving
    var cumulativeTSN: UInt32 = 0
    var receivedAbove: Set<UInt32> = []
    var duplicates: [UInt32] = []
    var inbound: [UInt16: InboundStream] = [:]
    var bufferedReceiveBytes = 0
    var sackNeeded = false
    var sackNow = false
    var dataPacketsSinceSack = 0

    // MARK: Stream reset (RFC 6525)
    var myRequestSequence: UInt32
    var peerRequestSequence: UInt32 = 0
    var resetQueue: [UInt16] = []
    var outstandingReset: (sequence: UInt32, streams: [UInt16], chunk: ReconfigChunk)?
    var lastResponse: (sequence: UInt32, result: ReconfigResult)?

    // MARK: Channels
    var channels: [UInt16: Channel] = [:]
    var shutdownRequested = false

    var outputs = Queue<Output>()
    /// Inputs arrived since the last flush; `pollOutput` flushes at `lastNow`.
    var needsFlush = false
    var lastNow: Instant?

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        var rng = SplitMix64(seed: configuration.seed)
        var tag = UInt32(truncatingIfNeeded: rng.next())
        if tag == 0 { tag = 1 }
        myTag = tag
        myInitialTSN = UInt32(truncatingIfNeeded: rng.next())
        cookieSecret = rng.next()
        self.rng = rng
        nextTSN = myInitialTSN
        peerCumulativeAck = myInitialTSN &- 1
        advancedPeerAckPoint = myInitialTSN &- 1
        myRequestSequence = myInitialTSN
        rto = configuration.rtoInitial
        cwnd = min(4 * configuration.mtu, max(2 * configuration.mtu, 4380))
        ssthresh = configuration.receiveWindow
    }

    /// No array is built: a `PeerConnection` driver reads it after every datagram, audio included.
    public var nextDeadline: Instant? {
        Self.earlier(Self.earlier(t1Deadline, t3Deadline),
                     Self.earlier(Self.earlier(t2Deadline, delayedAckDeadline), reconfigDeadline))
    }

    static func earlier(_ a: Instant?, _ b: Instant?) -> Instant? {
        guard let a else { return b }
        guard let b else { return a }
        return min(a, b)
    }

    /// The `now` of the latest input (a wrapper that drains later reuses it).
    public var lastInputInstant: Instant? { lastNow }

    /// Opens a channel like `handle(.openChannel(options), now:)` and returns the stream id it took
    /// (nil, with an `.error` event, when none could be taken), so a caller can map its own handle.
    public mutating func open(_ options: DataChannelOptions, now: Instant) -> UInt16? {
        lastNow = now
        needsFlush = true
        return openChannel(options, now: now)
    }

    /// Packets are built here, when the driver asks, not per input: a burst of `send`s before the
    /// driver drains becomes full packets (up to ~59 small messages per packet), not one tiny packet
    /// per message that could overrun a receiver's socket buffer.
    public mutating func pollOutput() -> Output? {
        if needsFlush && outputs.isEmpty, let now = lastNow {
            needsFlush = false
            flush(now: now)
        }
        return outputs.popFirst()
    }

    /// The bytes queued on a channel and not yet acknowledged (W3C `bufferedAmount`).
    public func bufferedAmount(channelID: UInt16) -> Int { channels[channelID]?.bufferedAmount ?? 0 }

    /// The channels that are open or opening, by id.
    public var channelIDs: [UInt16] { channels.keys.sorted() }

    public mutating func handle(_ input: Input, now: Instant) {
        lastNow = now
        switch input {
        case .connect: connect(now: now)
        case .packet(let bytes): receive(bytes, now: now)
        case .openChannel(let options): openChannel(options, now: now)
        case .send(let id, let message): send(message, on: id, now: now)
        case .closeChannel(let id): closeChannel(id)
        case .setBufferedAmountLowThreshold(let id, let bytes):
            if channels[id] != nil { channels[id]?.lowThreshold = max(0, bytes) } else { emit(.error("SCTP: no channel \(id)")) }
        case .shutdown: requestShutdown()
        case .timeout: fireTimers(now: now)
        }
        needsFlush = true
    }

    mutating func emit(_ event: Event) { outputs.append(.event(event)) }

    // MARK: Handshake (RFC 9260 §5)

    mutating func connect(now: Instant) {
        guard state == .closed else { return }
        let initChunk = SCTPChunk.initiation(InitChunk(
            initiateTag: myTag, advertisedReceiverWindow: UInt32(configuration.receiveWindow),
            outboundStreams: 65535, inboundStreams: 65535, initialTSN: myInitialTSN, parameters: Self.extensionParameters))
        state = .cookieWait
        t1Chunk = initChunk
        t1Attempts = 0
        t1Deadline = now + rto
        // INIT goes with verification tag 0 (RFC 9260 §8.5.1).
        transmit(SCTPPacket(sourcePort: configuration.localPort, destinationPort: configuration.remotePort, verificationTag: 0, chunks: [initChunk]))
    }

    static let extensionParameters = [
        SCTPParameter(type: InitChunk.ParameterType.forwardTSNSupported, value: []),
        SCTPParameter(type: InitChunk.ParameterType.supportedExtensions,
                      value: [SCTPChunk.ChunkType.reconfig.rawValue, SCTPChunk.ChunkType.forwardTSN.rawValue]),
    ]

    /// The state cookie: the peer's INIT fields we need later, sealed with a per-association secret.
    /// Over DTLS nobody can spoof the peer (RFC 8261 §4), so the cookie only has to prove it is ours
    /// and spare us state between INIT ACK and COOKIE ECHO, not resist forgery by a third party.
    func makeCookie(for peer: InitChunk) -> [UInt8] {
        var cookie: [UInt8] = []
        cookie.appendU32(UInt32(truncatingIfNeeded: cookieSecret >> 32))
        cookie.appendU32(UInt32(truncatingIfNeeded: cookieSecret))
        cookie.appendU32(peer.initiateTag)
        cookie.appendU32(peer.initialTSN)
        cookie.appendU32(peer.advertisedReceiverWindow)
        cookie.append((peer.supportsForwardTSN ? 1 : 0) | (peer.supportsReconfig ? 2 : 0))
        return cookie
    }

    func readCookie(_ cookie: [UInt8]) -> (tag: UInt32, initialTSN: UInt32, window: UInt32, flags: UInt8)? {
        guard cookie.count == 21 else { return nil }
        var reader = ByteReader(cookie[...], what: "cookie")
        guard let high = try? reader.u32(), let low = try? reader.u32(),
              UInt64(high) << 32 | UInt64(low) == cookieSecret,
              let tag = try? reader.u32(), let tsn = try? reader.u32(), let window = try? reader.u32(),
              let flags = try? reader.u8() else { return nil }
        return (tag, tsn, window, flags)
    }

    mutating func handleInit(_ chunk: InitChunk, now: Instant) {
        guard chunk.initiateTag != 0 else { emit(.error("SCTP: INIT with initiate tag 0")); return }
        if state == .established || state == .terminated {
            // A restart or a stray INIT: WebRTC never restarts an association over the same DTLS.
            return
        }
        let ack = InitChunk(
            initiateTag: myTag, advertisedReceiverWindow: UInt32(configuration.receiveWindow),
            outboundStreams: 65535, inboundStreams: 65535, initialTSN: myInitialTSN,
            parameters: Self.extensionParameters + [SCTPParameter(type: InitChunk.ParameterType.stateCookie, value: makeCookie(for: chunk))])
        transmit(SCTPPacket(sourcePort: configuration.localPort, destinationPort: configuration.remotePort,
                            verificationTag: chunk.initiateTag, chunks: [.initiationAck(ack)]))
    }

    mutating func handleInitAck(_ chunk: InitChunk, now: Instant) {
        guard state == .cookieWait else { return }
        guard chunk.initiateTag != 0, let cookie = chunk.stateCookie else {
            emit(.error("SCTP: INIT ACK without tag or cookie")); return
        }
        adoptPeer(tag: chunk.initiateTag, initialTSN: chunk.initialTSN, window: chunk.advertisedReceiverWindow,
                  forwardTSN: chunk.supportsForwardTSN, reconfig: chunk.supportsReconfig)
        let echo = SCTPChunk.cookieEcho(CookieEchoChunk(cookie: cookie))
        state = .cookieEchoed
        t1Chunk = echo
        t1Attempts = 0
        t1Deadline = now + rto
        control.append(echo)
    }

    mutating func adoptPeer(tag: UInt32, initialTSN: UInt32, window: UInt32, forwardTSN: Bool, reconfig: Bool) {
        peerTag = tag
        cumulativeTSN = initialTSN &- 1
        peerRequestSequence = initialTSN
        peerReceiveWindow = Int(window)
        peerSupportsForwardTSN = forwardTSN
        peerSupportsReconfig = reconfig
    }

    mutating func handleCookieEcho(_ chunk: CookieEchoChunk, now: Instant) {
        guard let cookie = readCookie(chunk.cookie) else { emit(.error("SCTP: COOKIE ECHO with a cookie we did not issue")); return }
        switch state {
        case .closed, .cookieWait, .cookieEchoed:
            adoptPeer(tag: cookie.tag, initialTSN: cookie.initialTSN, window: cookie.window,
                      forwardTSN: cookie.flags & 1 != 0, reconfig: cookie.flags & 2 != 0)
            control.append(.cookieAck)
            becomeEstablished()
        case .established, .shutdownPending:
            if cookie.tag == peerTag { control.append(.cookieAck) }  // our COOKIE ACK was lost
        default:
            break
        }
    }

    mutating func becomeEstablished() {
        state = shutdownRequested ? .shutdownPending : .established
        t1Deadline = nil
        t1Chunk = nil
        errorCount = 0
        emit(.established)
        for id in channels.keys.sorted() where channels[id]?.announcePending == true {
            channels[id]?.announcePending = false
            if let channel = channels[id] { emit(.channelOpen(channel.info)) }
        }
    }

    mutating func fireT1(now: Instant) {
        guard let chunk = t1Chunk else { t1Deadline = nil; return }
        t1Attempts += 1
        if t1Attempts > configuration.maxInitRetransmits {
            terminate("SCTP: handshake timed out after \(t1Attempts) attempts")
            return
        }
        rto = min(rto * 2, configuration.rtoMax)
        t1Deadline = now + rto
        if case .initiation = chunk {
            transmit(SCTPPacket(sourcePort: configuration.localPort, destinationPort: configuration.remotePort, verificationTag: 0, chunks: [chunk]))
        } else {
            control.append(chunk)
        }
    }

    /// Ends the association for good and tells the application why.
    mutating func terminate(_ reason: String) {
        guard state != .terminated else { return }
        state = .terminated
        t1Deadline = nil; t2Deadline = nil; t3Deadline = nil; delayedAckDeadline = nil; reconfigDeadline = nil
        for id in channels.keys.sorted() { emit(.channelClosed(id)) }
        channels = [:]
        pending = Queue()
        inflight = Queue()
        flightSize = 0
        emit(.closed(reason: reason))
    }

    // MARK: Input dispatch

    mutating func receive(_ bytes: [UInt8], now: Instant) {
        guard state != .terminated else { return }
        let packet: SCTPPacket
        do {
            packet = try SCTPPacket.parse(bytes)
        } catch {
            stats.packetsDropped += 1
            emit(.error(error.description))
            return
        }
        stats.packetsReceived += 1
        guard packet.destinationPort == configuration.localPort, packet.sourcePort == configuration.remotePort else {
            stats.packetsDropped += 1
            return
        }
        guard acceptsTag(packet) else { stats.packetsDropped += 1; return }
        var sawData = false
        for chunk in packet.chunks {
            switch chunk {
            case .initiation(let chunk):
                guard packet.chunks.count == 1 else { emit(.error("SCTP: INIT bundled with other chunks")); return }
                handleInit(chunk, now: now)
            case .initiationAck(let chunk): handleInitAck(chunk, now: now)
            case .cookieEcho(let chunk): handleCookieEcho(chunk, now: now)
            case .cookieAck:
                if state == .cookieEchoed { becomeEstablished() }
            case .data(let chunk):
                guard isEstablishedOrShuttingDown else { continue }
                sawData = true
                handleData(chunk, now: now)
            case .sack(let chunk):
                guard isEstablishedOrShuttingDown else { continue }
                handleSack(chunk, now: now)
            case .heartbeat(let chunk):
                control.append(.heartbeatAck(chunk))
            case .heartbeatAck:
                break
            case .forwardTSN(let chunk):
                guard isEstablishedOrShuttingDown else { continue }
                handleForwardTSN(chunk)
            case .reconfig(let chunk):
                guard isEstablishedOrShuttingDown else { continue }
                handleReconfig(chunk, now: now)
            case .abort(let chunk):
                let why = chunk.causes.map { SCTPErrorCause.name($0.type) }.joined(separator: ", ")
                terminate("SCTP: peer aborted" + (why.isEmpty ? "" : " (\(why))"))
                return
            case .error(let chunk):
                let why = chunk.causes.map { SCTPErrorCause.name($0.type) }.joined(separator: ", ")
                emit(.error("SCTP: peer reported an error (\(why))"))
            case .shutdown(let chunk): handleShutdown(chunk, now: now)
            case .shutdownAck: handleShutdownAck()
            case .shutdownComplete:
                if state == .shutdownAckSent { terminate("SCTP: shut down") }
            case .unknown(let type, _, _):
                // RFC 9260 §3.2: the upper two bits say whether to stop processing the packet.
                if type & 0x80 == 0 { return }
            }
        }
        if sawData { noteDataPacket(now: now) }
    }

    var isEstablishedOrShuttingDown: Bool {
        switch state {
        case .established, .shutdownPending, .shutdownSent, .shutdownReceived, .shutdownAckSent: true
        default: false
        }
    }

    /// Verification-tag rules (RFC 9260 §8.5): INIT carries 0, ABORT/SHUTDOWN COMPLETE with T set
    /// carry the peer's tag, COOKIE ECHO and INIT ACK ours, everything else ours once we have one.
    func acceptsTag(_ packet: SCTPPacket) -> Bool {
        guard let first = packet.chunks.first else { return false }
        switch first {
        case .initiation: return packet.verificationTag == 0
        case .abort(let abort) where abort.tagReflected: return peerTag != 0 && packet.verificationTag == peerTag
        case .shutdownComplete(let reflected) where reflected: return peerTag != 0 && packet.verificationTag == peerTag
        default: return packet.verificationTag == myTag
        }
    }

    mutating func fireTimers(now: Instant) {
        if let deadline = t1Deadline, deadline <= now { fireT1(now: now) }
        if let deadline = t3Deadline, deadline <= now { fireT3(now: now) }
        if let deadline = t2Deadline, deadline <= now { fireT2(now: now) }
        if let deadline = reconfigDeadline, deadline <= now { fireReconfigTimer(now: now) }
        if let deadline = delayedAckDeadline, deadline <= now {
            delayedAckDeadline = nil
            sackNow = true
        }
    }

    /// Counts a timer expiry against Association.Max.Retrans; true when the peer is declared dead.
    mutating func countError() -> Bool {
        errorCount += 1
        if errorCount > configuration.maxAssociationRetransmits {
            terminate("SCTP: peer unreachable after \(errorCount) retransmission timeouts")
            return true
        }
        return false
    }

    mutating func transmit(_ packet: SCTPPacket) {
        stats.packetsSent += 1
        outputs.append(.transmit(packet.serialize()))
    }
}

@available(*, unavailable) extension SCTPAssociation: Sendable {}

/// Serial-number comparison of TSNs and sequence numbers (RFC 9260 §1.6, RFC 1982).
@inline(__always) func tsnLess(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) < 0 }
@inline(__always) func tsnLessOrEqual(_ a: UInt32, _ b: UInt32) -> Bool { a == b || tsnLess(a, b) }
@inline(__always) func ssnLess(_ a: UInt16, _ b: UInt16) -> Bool { Int16(bitPattern: a &- b) < 0 }


/// A FIFO with O(1) pops (an array and a head index, compacted now and then).
struct Queue<Element> {
    var storage: [Element] = []
    var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }
    var indices: Range<Int> { head..<storage.count }

    mutating func append(_ element: Element) { storage.append(element) }

    mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head >= 1024 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        } else if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        }
        return element
    }

    var first: Element? { head < storage.count ? storage[head] : nil }

    subscript(index: Int) -> Element {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    mutating func removeAll(where predicate: (Element) -> Bool) {
        storage.removeSubrange(..<head)
        head = 0
        storage.removeAll(where: predicate)
    }
}
