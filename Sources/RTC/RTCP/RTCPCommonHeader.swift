/// The 4-byte header every RTCP packet starts with (RFC 3550 §6.4.1): version, padding, a 5-bit
/// count (reception reports, SDES chunks, or the feedback FMT), packet type and length in words − 1.
struct RTCPCommonHeader {
    var padding: Bool
    var count: UInt8
    var packetType: UInt8
    /// Whole packet length in bytes, header included.
    var byteLength: Int

    /// Reads the header at `index`; checks the version and that the declared length fits.
    init(parsing bytes: ArraySlice<UInt8>, at index: Int) throws(RTCError) {
        guard bytes.endIndex - index >= 4 else { throw RTPWire.malformed("RTCP header truncated") }
        let first = bytes[index]
        guard first >> 6 == 2 else { throw RTPWire.malformed("RTCP version \(first >> 6)") }
        padding = first & 0x20 != 0
        count = first & 0x1F
        packetType = bytes[index + 1]
        byteLength = (Int(RTPWire.read16(bytes, index + 2)) + 1) * 4
        guard bytes.endIndex - index >= byteLength else { throw RTPWire.malformed("RTCP length exceeds datagram") }
    }

    /// Appends a header with a zero length; `finish` patches it once the body is written.
    static func begin(_ buffer: inout [UInt8], count: UInt8, packetType: UInt8) -> Int {
        let start = buffer.count
        buffer.append(0x80 | (count & 0x1F))
        buffer.append(packetType)
        RTPWire.append16(&buffer, 0)
        return start
    }

    /// Pads the packet to a word boundary and writes its length (RFC 3550 §6.4.1: words minus one).
    static func finish(_ buffer: inout [UInt8], start: Int) {
        RTPWire.padToWord(&buffer, from: start)
        RTPWire.write16(&buffer, at: start + 2, UInt16(truncatingIfNeeded: (buffer.count - start) / 4 - 1))
    }
}

/// RTCP packet type numbers (RFC 3550 §12.1, RFC 4585 §6.1).
public enum RTCPPacketType {
    public static let senderReport: UInt8 = 200
    public static let receiverReport: UInt8 = 201
    public static let sourceDescription: UInt8 = 202
    public static let goodbye: UInt8 = 203
    public static let transportFeedback: UInt8 = 205
    public static let payloadFeedback: UInt8 = 206
}
