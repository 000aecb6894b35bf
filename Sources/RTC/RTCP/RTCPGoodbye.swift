/// BYE: these sources are leaving (RFC 3550 §6.6); the receiver drops their state.
public struct RTCPGoodbye: Sendable, Equatable {
    public var ssrcs: [UInt32]
    public var reason: String?

    public init(ssrcs: [UInt32], reason: String? = nil) {
        self.ssrcs = ssrcs
        self.reason = reason
    }

    init(parsing bytes: ArraySlice<UInt8>, header: RTCPCommonHeader, at start: Int, end: Int) throws(RTCError) {
        var index = start + 4
        guard end - index >= 4 * Int(header.count) else { throw RTPWire.malformed("RTCP BYE truncated") }
        var ssrcs: [UInt32] = []
        for _ in 0..<header.count {
            ssrcs.append(RTPWire.read32(bytes, index))
            index += 4
        }
        self.ssrcs = ssrcs
        reason = nil
        if index < end {
            let length = Int(bytes[index])
            guard end - index - 1 >= length else { throw RTPWire.malformed("RTCP BYE reason truncated") }
            reason = String(decoding: bytes[(index + 1)..<(index + 1 + length)], as: UTF8.self)
        }
    }

    public func serialize(into buffer: inout [UInt8]) {
        let written = ssrcs.prefix(31)
        let start = RTCPCommonHeader.begin(&buffer, count: UInt8(written.count), packetType: RTCPPacketType.goodbye)
        for ssrc in written { RTPWire.append32(&buffer, ssrc) }
        if let reason {
            let bytes = reason.utf8.prefix(255)
            buffer.append(UInt8(bytes.count))
            buffer.append(contentsOf: bytes)
        }
        RTCPCommonHeader.finish(&buffer, start: start)
    }
}
