/// One reception report (RFC 3550 §6.4.1): how well we receive one remote SSRC.
public struct RTCPReportBlock: Sendable, Equatable {
    public static let byteLength = 24

    public var ssrc: UInt32
    /// Packets lost since the previous report ÷ expected, fixed point with the binary point at the left (×256).
    public var fractionLost: UInt8
    /// 24-bit signed; duplicates can make it negative. Clamped to −8388608…8388607 on the wire.
    public var cumulativeLost: Int32
    /// Cycles in the high 16 bits, highest sequence number received in the low 16.
    public var extendedHighestSequenceNumber: UInt32
    /// Interarrival jitter in RTP timestamp units (RFC 3550 A.8).
    public var jitter: UInt32
    /// Middle 32 bits of the NTP time in the last SR from this source; 0 if none yet.
    public var lastSenderReport: UInt32
    /// Delay since that SR arrived, in 1/65536 s; 0 if none yet.
    public var delaySinceLastSenderReport: UInt32

    public init(
        ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequenceNumber: UInt32,
        jitter: UInt32, lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequenceNumber = extendedHighestSequenceNumber
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    /// Round-trip time to the reporter (RFC 3550 §6.4.1): arrival − LSR − DLSR, all in 1/65536 s.
    ///
    /// `arrival` is our NTP clock when this report arrived; nil when the peer has no SR from us yet
    /// or the result would be negative (clock steps, a bogus report).
    public func roundTripTime(arrival: NTPTimestamp) -> Duration? {
        guard lastSenderReport != 0 else { return nil }
        let sinceLastSenderReport = arrival.middle32 &- lastSenderReport
        guard sinceLastSenderReport >= delaySinceLastSenderReport else { return nil }
        let units = Int64(sinceLastSenderReport - delaySinceLastSenderReport)
        return .nanoseconds(units * 1_000_000_000 / 65536)
    }

    init(parsing bytes: ArraySlice<UInt8>, at index: Int) {
        ssrc = RTPWire.read32(bytes, index)
        fractionLost = bytes[index + 4]
        // Sign-extend the 24-bit cumulative loss.
        let raw = RTPWire.read24(bytes, index + 5)
        cumulativeLost = Int32(bitPattern: raw << 8) >> 8
        extendedHighestSequenceNumber = RTPWire.read32(bytes, index + 8)
        jitter = RTPWire.read32(bytes, index + 12)
        lastSenderReport = RTPWire.read32(bytes, index + 16)
        delaySinceLastSenderReport = RTPWire.read32(bytes, index + 20)
    }

    func serialize(into buffer: inout [UInt8]) {
        RTPWire.append32(&buffer, ssrc)
        buffer.append(fractionLost)
        let clamped = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        RTPWire.append24(&buffer, UInt32(bitPattern: clamped) & 0xFF_FFFF)
        RTPWire.append32(&buffer, extendedHighestSequenceNumber)
        RTPWire.append32(&buffer, jitter)
        RTPWire.append32(&buffer, lastSenderReport)
        RTPWire.append32(&buffer, delaySinceLastSenderReport)
    }

    /// Reads `count` blocks starting at `index`, which the caller has checked fit.
    static func parseList(_ bytes: ArraySlice<UInt8>, at index: Int, count: Int, end: Int) throws(RTCError) -> [Self] {
        guard end - index >= count * byteLength else { throw RTPWire.malformed("RTCP report blocks truncated") }
        var blocks: [Self] = []
        blocks.reserveCapacity(count)
        for block in 0..<count { blocks.append(Self(parsing: bytes, at: index + block * byteLength)) }
        return blocks
    }
}
