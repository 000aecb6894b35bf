/// SR: an active sender's clock mapping and counters plus its reception reports (RFC 3550 §6.4.1).
public struct RTCPSenderReport: Sendable, Equatable {
    public var ssrc: UInt32
    public var ntpTimestamp: NTPTimestamp
    /// The RTP timestamp that corresponds to `ntpTimestamp` on the media clock.
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    /// Payload octets sent (headers and padding excluded).
    public var octetCount: UInt32
    public var reportBlocks: [RTCPReportBlock]

    public init(
        ssrc: UInt32, ntpTimestamp: NTPTimestamp, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
        reportBlocks: [RTCPReportBlock] = []
    ) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reportBlocks = reportBlocks
    }

    init(parsing bytes: ArraySlice<UInt8>, header: RTCPCommonHeader, at index: Int, end: Int) throws(RTCError) {
        guard end - index >= 28 else { throw RTPWire.malformed("RTCP SR truncated") }
        ssrc = RTPWire.read32(bytes, index + 4)
        ntpTimestamp = NTPTimestamp(
            seconds: RTPWire.read32(bytes, index + 8), fraction: RTPWire.read32(bytes, index + 12))
        rtpTimestamp = RTPWire.read32(bytes, index + 16)
        packetCount = RTPWire.read32(bytes, index + 20)
        octetCount = RTPWire.read32(bytes, index + 24)
        // Profile-specific extensions after the blocks are ignored.
        reportBlocks = try RTCPReportBlock.parseList(bytes, at: index + 28, count: Int(header.count), end: end)
    }

    /// Appends the SR (at most 31 report blocks; extra ones are left for a following RR).
    public func serialize(into buffer: inout [UInt8]) {
        let blocks = reportBlocks.prefix(31)
        let start = RTCPCommonHeader.begin(&buffer, count: UInt8(blocks.count), packetType: RTCPPacketType.senderReport)
        RTPWire.append32(&buffer, ssrc)
        RTPWire.append32(&buffer, ntpTimestamp.seconds)
        RTPWire.append32(&buffer, ntpTimestamp.fraction)
        RTPWire.append32(&buffer, rtpTimestamp)
        RTPWire.append32(&buffer, packetCount)
        RTPWire.append32(&buffer, octetCount)
        for block in blocks { block.serialize(into: &buffer) }
        RTCPCommonHeader.finish(&buffer, start: start)
    }
}
