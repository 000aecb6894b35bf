/// Reorders received audio packets and releases one per playout tick, late enough to absorb
/// network jitter (sans-IO; the caller's playout clock calls `pop(now:)` every frame, 20 ms).
///
/// Packets are held in a ring indexed by extended sequence number. Each packet's playout instant is
/// anchored on the fastest packet seen so far (minimum transit time) plus a target delay, which adapts
/// between `minimumDelay` and `maximumDelay` to three times the measured interarrival jitter. When a
/// slot comes due without its packet, `pop` reports `.missing` and hands over the next packet's payload
/// if it is already here, so the Opus decoder can recover the frame from in-band FEC instead of PLC.
///
/// A sender clock slower than ours shows up as an occasional `nil` tick; a faster one is caught up by
/// dropping frames once playout lags more than `maximumDelay` (`counters.discarded`).
///
/// Payloads are copied into per-slot buffers reserved up front, so steady-state inserts do not allocate.
/// A payload handed out by `pop` is a slice of such a buffer: use it before the next `insert`, or it is
/// copied on write.
public struct JitterBuffer: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var minimumDelay: Duration
        public var maximumDelay: Duration
        /// One packet's duration; used to place a missing packet's slot between its neighbours.
        public var frameDuration: Duration
        public var clockRate: Int
        /// Packets held at most; rounded up to a power of two. A forward jump this large resets the buffer.
        public var capacity: Int
        /// Bytes reserved per slot (Opus: at most 1275 per 20 ms frame).
        public var reservedPayloadSize: Int

        public init(
            minimumDelay: Duration = .milliseconds(40), maximumDelay: Duration = .milliseconds(80),
            frameDuration: Duration = .milliseconds(20), clockRate: Int = 48_000, capacity: Int = 64,
            reservedPayloadSize: Int = 1500
        ) {
            self.minimumDelay = minimumDelay
            self.maximumDelay = max(maximumDelay, minimumDelay)
            self.frameDuration = frameDuration
            self.clockRate = clockRate
            self.capacity = capacity
            self.reservedPayloadSize = reservedPayloadSize
        }
    }

    /// What to play for this tick.
    public enum Output: Sendable, Equatable {
        case frame(payload: ArraySlice<UInt8>, sequenceNumber: UInt16, timestamp: UInt32)
        /// The packet never came in time. `fecSource` is the next packet's payload when it is already
        /// buffered: decode it with FEC on to rebuild this frame; otherwise run packet loss concealment.
        case missing(sequenceNumber: UInt16, fecSource: ArraySlice<UInt8>?)

        public static func == (lhs: Self, rhs: Self) -> Bool {
            switch (lhs, rhs) {
            case let (.frame(a, s1, t1), .frame(b, s2, t2)): return s1 == s2 && t1 == t2 && a.elementsEqual(b)
            case let (.missing(s1, a), .missing(s2, b)):
                guard s1 == s2 else { return false }
                switch (a, b) {
                case (nil, nil): return true
                case let (a?, b?): return a.elementsEqual(b)
                default: return false
                }
            default: return false
            }
        }
    }

    /// What `insert` did with a packet.
    public enum InsertOutcome: Sendable, Equatable {
        case buffered
        /// Already buffered or already played.
        case duplicate
        /// Its playout slot has passed; dropped.
        case late
        /// The stream restarted (new SSRC or a sequence jump); the buffer was flushed and this packet starts it.
        case reset
    }

    public struct Counters: Sendable, Equatable {
        /// Packets accepted into the buffer.
        public var received = 0
        public var late = 0
        public var duplicate = 0
        /// Slots that came due without their packet (every `.missing` output).
        public var lost = 0
        /// `.missing` outputs without a FEC source: the decoder has to run PLC.
        public var concealed = 0
        /// Flushes because of an SSRC change or a sequence jump.
        public var resets = 0
        /// Frames dropped unplayed to catch up when the sender's clock runs faster than ours.
        public var discarded = 0

        public init() {}
    }

    public let configuration: Configuration
    public private(set) var counters = Counters()
    /// The current playout delay beyond the fastest packet.
    public private(set) var targetDelay: Duration

    private let mask: Int
    private var payloads: [[UInt8]]
    private var slotSequence: [Int64]
    private var slotTimestamp: [UInt32]
    private var ssrc: UInt32?
    private var highestSequence: Int64 = 0
    private var nextSequence: Int64 = 0
    private var hasStarted = false
    /// Bit i: sequence `nextSequence − 1 − i` was played as a frame (tells duplicates from late packets).
    private var playedMask: UInt64 = 0
    private var anchorArrival: ContinuousClock.Instant?
    private var anchorTimestamp: UInt32 = 0
    private var lastArrival: ContinuousClock.Instant?
    private var lastArrivalTimestamp: UInt32 = 0
    private var lastArrivalSequence: Int64 = 0
    /// Smoothed |D| of RFC 3550 A.8, in nanoseconds.
    private var jitterNanoseconds: Double = 0
    private var pendingRestartSequence: UInt16?

    public init(configuration: Configuration = .init()) {
        var capacity = 1
        while capacity < max(2, configuration.capacity) { capacity <<= 1 }
        self.configuration = configuration
        self.mask = capacity - 1
        self.targetDelay = configuration.minimumDelay
        self.payloads = (0..<capacity).map { _ in
            var slot: [UInt8] = []
            slot.reserveCapacity(configuration.reservedPayloadSize)
            return slot
        }
        self.slotSequence = Array(repeating: -1, count: capacity)
        self.slotTimestamp = Array(repeating: 0, count: capacity)
    }

    /// Packets currently held.
    public var bufferedCount: Int { slotSequence.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }

    /// Smoothed interarrival jitter that drives `targetDelay`.
    public var measuredJitter: Duration { .nanoseconds(Int64(jitterNanoseconds)) }

    @discardableResult
    public mutating func insert(_ packet: RTPPacket, now: ContinuousClock.Instant) -> InsertOutcome {
        insert(
            ssrc: packet.header.ssrc, sequenceNumber: packet.header.sequenceNumber, timestamp: packet.header.timestamp,
            payload: packet.payload, now: now)
    }

    /// Adds a received packet; `now` is its arrival time.
    @discardableResult
    public mutating func insert(
        ssrc: UInt32, sequenceNumber: UInt16, timestamp: UInt32, payload: ArraySlice<UInt8>,
        now: ContinuousClock.Instant
    ) -> InsertOutcome {
        guard let currentSSRC = self.ssrc, anchorArrival != nil else {
            start(ssrc: ssrc, sequenceNumber: sequenceNumber, timestamp: timestamp, now: now)
            store(Int64(sequenceNumber) + Self.sequenceOrigin, timestamp: timestamp, payload: payload, now: now)
            return .buffered
        }
        if currentSSRC != ssrc { return restart(ssrc, sequenceNumber, timestamp, payload, now) }
        let delta = Int64(Int16(bitPattern: sequenceNumber &- UInt16(truncatingIfNeeded: highestSequence)))
        let extended = highestSequence + delta
        let capacity = Int64(mask + 1)
        if extended - nextSequence >= capacity {
            return restart(ssrc, sequenceNumber, timestamp, payload, now)  // too far ahead: the stream jumped
        }
        if extended < nextSequence {
            return olderThanPlayout(extended, sequenceNumber, timestamp, payload, now)
        }
        pendingRestartSequence = nil
        if slotSequence[Int(extended) & mask] == extended {
            counters.duplicate += 1
            return .duplicate
        }
        store(extended, timestamp: timestamp, payload: payload, now: now)
        return .buffered
    }

    /// Releases what to play for the tick at `now`, or nil when nothing is due (not started, waiting
    /// for the delay, or buffer empty — play silence or PLC without advancing).
    public mutating func pop(now: ContinuousClock.Instant) -> Output? {
        guard let anchor = anchorArrival else { return nil }
        catchUpIfLagging(now: now, anchor: anchor)
        let slot = Int(nextSequence) & mask
        if slotSequence[slot] == nextSequence {
            guard now >= playoutTime(of: slotTimestamp[slot], anchor: anchor) else { return nil }
            let output = Output.frame(
                payload: payloads[slot][...], sequenceNumber: UInt16(truncatingIfNeeded: nextSequence),
                timestamp: slotTimestamp[slot])
            slotSequence[slot] = -1
            advance(played: true)
            return output
        }
        guard hasStarted, let following = nearestBuffered(after: nextSequence) else { return nil }
        let followingSlot = Int(following) & mask
        let slotsBetween = Int(following - nextSequence)
        let followingDue = playoutTime(of: slotTimestamp[followingSlot], anchor: anchor)
        let due = followingDue - configuration.frameDuration * slotsBetween
        guard now >= due else { return nil }
        let fecSource: ArraySlice<UInt8>? = slotsBetween == 1 ? payloads[followingSlot][...] : nil
        let output = Output.missing(sequenceNumber: UInt16(truncatingIfNeeded: nextSequence), fecSource: fecSource)
        counters.lost += 1
        if fecSource == nil { counters.concealed += 1 }
        advance(played: false)
        return output
    }

    // MARK: - Internals

    /// A sender clock faster than ours makes frames arrive faster than the ticks drain them; once the
    /// oldest is more than `maximumDelay` overdue (and newer ones wait), drop it rather than lag forever.
    private mutating func catchUpIfLagging(now: ContinuousClock.Instant, anchor: ContinuousClock.Instant) {
        while true {
            let slot = Int(nextSequence) & mask
            guard slotSequence[slot] == nextSequence,
                now - playoutTime(of: slotTimestamp[slot], anchor: anchor) > configuration.maximumDelay,
                nearestBuffered(after: nextSequence) != nil
            else { return }
            slotSequence[slot] = -1
            counters.discarded += 1
            advance(played: true)
        }
    }

    /// Extended sequence numbers start here so a stream can be reordered backwards without going negative.
    private static let sequenceOrigin: Int64 = 1 << 20

    private mutating func start(ssrc: UInt32, sequenceNumber: UInt16, timestamp: UInt32, now: ContinuousClock.Instant) {
        for index in slotSequence.indices { slotSequence[index] = -1 }
        self.ssrc = ssrc
        highestSequence = Int64(sequenceNumber) + Self.sequenceOrigin
        nextSequence = highestSequence
        hasStarted = false
        playedMask = 0
        anchorArrival = now
        anchorTimestamp = timestamp
        lastArrival = nil
        pendingRestartSequence = nil
    }

    private mutating func restart(
        _ ssrc: UInt32, _ sequenceNumber: UInt16, _ timestamp: UInt32, _ payload: ArraySlice<UInt8>,
        _ now: ContinuousClock.Instant
    ) -> InsertOutcome {
        counters.resets += 1
        start(ssrc: ssrc, sequenceNumber: sequenceNumber, timestamp: timestamp, now: now)
        store(highestSequence, timestamp: timestamp, payload: payload, now: now)
        return .reset
    }

    /// A packet before the playout point: reordered before playout began, a duplicate, late, or (when
    /// two in a row continue each other far behind) a sender restart, as in RFC 3550 A.1's bad_seq rule.
    private mutating func olderThanPlayout(
        _ extended: Int64, _ sequenceNumber: UInt16, _ timestamp: UInt32, _ payload: ArraySlice<UInt8>,
        _ now: ContinuousClock.Instant
    ) -> InsertOutcome {
        let capacity = Int64(mask + 1)
        if !hasStarted && highestSequence - extended < capacity {
            nextSequence = extended
            if slotSequence[Int(extended) & mask] == extended {
                counters.duplicate += 1
                return .duplicate
            }
            store(extended, timestamp: timestamp, payload: payload, now: now)
            return .buffered
        }
        let behind = nextSequence - 1 - extended
        if behind < 64 && playedMask & (1 << UInt64(behind)) != 0 {
            counters.duplicate += 1
            return .duplicate
        }
        if nextSequence - extended > capacity {
            if pendingRestartSequence == sequenceNumber {
                return restart(ssrc ?? 0, sequenceNumber, timestamp, payload, now)
            }
            pendingRestartSequence = sequenceNumber &+ 1
        }
        counters.late += 1
        return .late
    }

    private mutating func store(
        _ extended: Int64, timestamp: UInt32, payload: ArraySlice<UInt8>, now: ContinuousClock.Instant
    ) {
        let slot = Int(extended) & mask
        slotSequence[slot] = extended
        slotTimestamp[slot] = timestamp
        payloads[slot].removeAll(keepingCapacity: true)
        payloads[slot].append(contentsOf: payload)
        highestSequence = max(highestSequence, extended)
        counters.received += 1
        measure(extended, timestamp: timestamp, now: now)
    }

    /// Updates the anchor (fastest packet) and the jitter estimate, then re-derives the target delay.
    private mutating func measure(_ extended: Int64, timestamp: UInt32, now: ContinuousClock.Instant) {
        if let anchorArrival {
            let expected = anchorArrival + mediaDuration(from: anchorTimestamp, to: timestamp)
            // A sender clock slower than ours needs no correction here: its frames come due later
            // than our ticks, and `pop` simply returns nil (an underrun tick) now and then.
            if now < expected {
                self.anchorArrival = now
                anchorTimestamp = timestamp
            }
        }
        if let lastArrival, extended > lastArrivalSequence {
            // RFC 3550 A.8 in wall-clock units: D = arrival spacing − media spacing; J += (|D| − J) / 16.
            let difference = (now - lastArrival) - mediaDuration(from: lastArrivalTimestamp, to: timestamp)
            let nanoseconds = abs(Self.nanoseconds(difference))
            jitterNanoseconds += (nanoseconds - jitterNanoseconds) / 16
            let wanted = Duration.nanoseconds(Int64(3 * jitterNanoseconds))
            targetDelay = min(max(wanted, configuration.minimumDelay), configuration.maximumDelay)
        }
        if lastArrival == nil || extended > lastArrivalSequence {
            lastArrival = now
            lastArrivalTimestamp = timestamp
            lastArrivalSequence = extended
        }
    }

    private func playoutTime(of timestamp: UInt32, anchor: ContinuousClock.Instant) -> ContinuousClock.Instant {
        anchor + mediaDuration(from: anchorTimestamp, to: timestamp) + targetDelay
    }

    private func mediaDuration(from start: UInt32, to end: UInt32) -> Duration {
        let ticks = Int64(Int32(bitPattern: end &- start))
        return .nanoseconds(ticks * 1_000_000_000 / Int64(configuration.clockRate))
    }

    private func nearestBuffered(after sequence: Int64) -> Int64? {
        var candidate = sequence + 1
        while candidate <= highestSequence {
            if slotSequence[Int(candidate) & mask] == candidate { return candidate }
            candidate += 1
        }
        return nil
    }

    private mutating func advance(played: Bool) {
        hasStarted = true
        nextSequence += 1
        if nextSequence > highestSequence { highestSequence = nextSequence - 1 }
        playedMask = playedMask << 1 | (played ? 1 : 0)
    }

    private static func nanoseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }
}
