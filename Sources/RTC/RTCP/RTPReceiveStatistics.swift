/// Reception statistics for one remote SSRC, feeding our RR/SR report blocks (RFC 3550 A.1, A.3, A.8).
///
/// Sans-IO: arrival times come in as `ContinuousClock.Instant` and are converted to the media
/// clock (`clockRate`) for the jitter estimate. Updating allocates nothing.
public struct RTPReceiveStatistics: Sendable {
    /// A jump this far ahead is a restart, not loss (RFC 3550 A.1 MAX_DROPOUT).
    static let maximumDropout: UInt16 = 3000
    /// A packet this far behind is from before a restart (RFC 3550 A.1 MAX_MISORDER).
    static let maximumMisorder: UInt16 = 100

    public let ssrc: UInt32
    public let clockRate: Int
    /// Packets received, duplicates included (RFC 3550 A.3 counts them too).
    public private(set) var packetsReceived: UInt32 = 0
    /// Payload octets received.
    public private(set) var octetsReceived: UInt64 = 0
    private var baseSequence: UInt32 = 0
    private var maximumSequence: UInt16 = 0
    private var cycles: UInt32 = 0
    private var badSequence: UInt32 = 0x1_0000 + 1  // "none": RTP_SEQ_MOD + 1
    private var started = false
    private var expectedPrior: UInt32 = 0
    private var receivedPrior: UInt32 = 0
    /// Jitter × 16, the fixed-point form of RFC 3550 A.8.
    private var scaledJitter: UInt32 = 0
    private var lastTransit: Int64?
    private var arrivalOrigin: ContinuousClock.Instant?
    private var lastSenderReportNTP: NTPTimestamp?
    private var lastSenderReportArrival: ContinuousClock.Instant?

    public init(ssrc: UInt32, clockRate: Int = 48_000) {
        self.ssrc = ssrc
        self.clockRate = clockRate
    }

    /// Cycles in the high 16 bits, highest sequence number in the low 16 bits.
    public var extendedHighestSequenceNumber: UInt32 { cycles &+ UInt32(maximumSequence) }

    /// RFC 3550 A.3: expected − received; negative when duplicates outnumber losses.
    public var cumulativeLost: Int64 {
        guard started else { return 0 }
        let expected = Int64(extendedHighestSequenceNumber) - Int64(baseSequence) + 1
        return expected - Int64(packetsReceived)
    }

    /// Interarrival jitter in RTP timestamp units (RFC 3550 A.8).
    public var jitter: UInt32 { scaledJitter >> 4 }

    /// Records one received packet.
    public mutating func record(
        sequenceNumber: UInt16, timestamp: UInt32, payloadLength: Int = 0, arrival: ContinuousClock.Instant
    ) {
        guard started else {
            restart(at: sequenceNumber)
            started = true
            count(timestamp: timestamp, payloadLength: payloadLength, arrival: arrival)
            return
        }
        // RFC 3550 A.1 update_seq, without the probation period (SRTP already authenticates the source).
        let delta = sequenceNumber &- maximumSequence
        if delta < Self.maximumDropout {
            if sequenceNumber < maximumSequence { cycles &+= 0x1_0000 }  // wrapped forward
            maximumSequence = sequenceNumber
        } else if delta <= UInt16.max - Self.maximumMisorder {
            // A big jump: believe it only if the next packet continues from it (the sender restarted).
            if UInt32(sequenceNumber) == badSequence {
                restart(at: sequenceNumber)
            } else {
                badSequence = UInt32(sequenceNumber &+ 1)
                return
            }
        }
        // Otherwise a duplicate or reordered packet: counted, the maximum stays.
        count(timestamp: timestamp, payloadLength: payloadLength, arrival: arrival)
    }

    /// Notes an SR from this source so the next report block can carry LSR/DLSR (RFC 3550 §6.4.1).
    public mutating func recordSenderReport(ntpTimestamp: NTPTimestamp, arrival: ContinuousClock.Instant) {
        lastSenderReportNTP = ntpTimestamp
        lastSenderReportArrival = arrival
    }

    /// Builds a report block for `now` and starts a new reporting interval (RFC 3550 A.3 fraction lost).
    public mutating func makeReportBlock(now: ContinuousClock.Instant) -> RTCPReportBlock {
        let expected = started ? extendedHighestSequenceNumber &- baseSequence &+ 1 : 0
        let expectedInterval = Int64(expected) - Int64(expectedPrior)
        let receivedInterval = Int64(packetsReceived) - Int64(receivedPrior)
        expectedPrior = expected
        receivedPrior = packetsReceived
        let lostInterval = expectedInterval - receivedInterval
        let fraction =
            expectedInterval == 0 || lostInterval <= 0 ? 0 : UInt8(min(255, (lostInterval << 8) / expectedInterval))
        var delay: UInt32 = 0
        if let arrival = lastSenderReportArrival {
            delay = Self.units65536(of: now - arrival)
        }
        return RTCPReportBlock(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: Int32(clamping: cumulativeLost),
            extendedHighestSequenceNumber: extendedHighestSequenceNumber, jitter: jitter,
            lastSenderReport: lastSenderReportNTP?.middle32 ?? 0, delaySinceLastSenderReport: delay)
    }

    private mutating func restart(at sequenceNumber: UInt16) {
        // RFC 3550 A.1 init_seq.
        baseSequence = UInt32(sequenceNumber)
        maximumSequence = sequenceNumber
        badSequence = 0x1_0000 + 1
        cycles = 0
        packetsReceived = 0
        expectedPrior = 0
        receivedPrior = 0
    }

    private mutating func count(timestamp: UInt32, payloadLength: Int, arrival: ContinuousClock.Instant) {
        packetsReceived &+= 1
        octetsReceived &+= UInt64(max(0, payloadLength))
        // RFC 3550 A.8: transit = arrival (media clock) − RTP timestamp; J += (|D| − J) / 16.
        let origin = arrivalOrigin ?? arrival
        arrivalOrigin = origin
        let arrivalUnits = Self.mediaUnits(of: arrival - origin, clockRate: clockRate)
        let transit = arrivalUnits &- Int64(timestamp)
        if let lastTransit {
            let difference = transit &- lastTransit
            // Wrap into 32 bits the way the RTP timestamp does, so one wrap is not a huge jump.
            let d = UInt32(truncatingIfNeeded: abs(Int64(Int32(truncatingIfNeeded: difference))))
            scaledJitter = scaledJitter &+ d &- ((scaledJitter &+ 8) >> 4)
        }
        lastTransit = transit
    }

    /// A duration in media-clock ticks.
    static func mediaUnits(of duration: Duration, clockRate: Int) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * Int64(clockRate) + (attoseconds / 1_000_000_000) * Int64(clockRate) / 1_000_000_000
    }

    /// A duration in 1/65536 s, the DLSR unit.
    static func units65536(of duration: Duration) -> UInt32 {
        let (seconds, attoseconds) = duration.components
        let units = seconds * 65536 + (attoseconds / 1_000_000_000) * 65536 / 1_000_000_000
        return UInt32(clamping: max(0, units))
    }
}
