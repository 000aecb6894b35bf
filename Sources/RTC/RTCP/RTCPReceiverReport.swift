/// RR: reception reports from a participant that has not sent RTP since the last report (RFC 3550 §6.4.2).
public struct RTCPReceiverReport: Sendable, Equatable {
    public var ssrc: UInt32
    public var reportBlocks: [RTCPReportBlock]

    public init(ssrc: UInt32, reportBlocks: [RTCPReportBlock] = []) {
        self.ssrc = ssrc
        self.reportBlocks = reportBlocks
    }

    init(parsing bytes: ArraySlice<UInt8>, header: RTCPCommonHeader, at index: Int, end: Int) throws(RTCError) {
        guard end - index >= 8 else { throw RTPWire.malformed("RTCP RR truncated") }
        ssrc = RTPWire.read32(bytes, index + 4)
        reportBlocks = try RTCPReportBlock.parseList(bytes, at: index + 8, count: Int(header.count), end: end)
    }

    /// Appends the RR (at most 31 report blocks).
    public func serialize(into buffer: inout [UInt8]) {
        let blocks = reportBlocks.prefix(31)
        let start = RTCPCommonHeader.begin(
            &buffer, count: UInt8(blocks.count), packetType: RTCPPacketType.receiverReport)
        RTPWire.append32(&buffer, ssrc)
        for block in blocks { block.serialize(into: &buffer) }
        RTCPCommonHeader.finish(&buffer, start: start)
    }
}
