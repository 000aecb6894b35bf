/// One RTP packet: header, payload and padding (RFC 3550 §5.1).
///
/// Parsing is zero-copy: `payload` and the extension elements are slices of the bytes passed in, so
/// the receive path allocates nothing per packet (an empty CSRC list does not allocate). Malformed
/// input throws `RTCError(.malformedPacket)` and never traps.
public struct RTPPacket: Sendable, Equatable {
    public var header: RTPHeader
    public var payload: ArraySlice<UInt8>
    /// Padding bytes after the payload including the final count byte; 0 means no padding (P bit clear).
    public var paddingLength: UInt8

    public init(header: RTPHeader, payload: ArraySlice<UInt8>, paddingLength: UInt8 = 0) {
        self.header = header
        self.payload = payload
        self.paddingLength = paddingLength
    }

    public init(header: RTPHeader, payload: [UInt8], paddingLength: UInt8 = 0) {
        self.init(header: header, payload: payload[...], paddingLength: paddingLength)
    }

    public init(parsing bytes: [UInt8]) throws(RTCError) {
        try self.init(parsing: bytes[...])
    }

    /// Parses a packet from a view of a datagram (after SRTP unprotect).
    public init(parsing bytes: ArraySlice<UInt8>) throws(RTCError) {
        let start = bytes.startIndex
        guard bytes.count >= 12 else { throw RTPWire.malformed("RTP packet shorter than 12 bytes") }
        let first = bytes[start]
        guard first >> 6 == 2 else { throw RTPWire.malformed("RTP version \(first >> 6)") }
        let csrcCount = Int(first & 0x0F)
        var index = start + 12
        guard bytes.endIndex - index >= 4 * csrcCount else { throw RTPWire.malformed("RTP CSRC list truncated") }
        var csrcs: [UInt32] = []
        if csrcCount > 0 {
            csrcs.reserveCapacity(csrcCount)
            for _ in 0..<csrcCount {
                csrcs.append(RTPWire.read32(bytes, index))
                index += 4
            }
        }
        var extensions = RTPHeaderExtensions.none
        if first & 0x10 != 0 {
            // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words, then the words.
            guard bytes.endIndex - index >= 4 else { throw RTPWire.malformed("RTP extension header truncated") }
            let profile = RTPWire.read16(bytes, index)
            let words = Int(RTPWire.read16(bytes, index + 2))
            index += 4
            guard bytes.endIndex - index >= 4 * words else { throw RTPWire.malformed("RTP extension truncated") }
            extensions = try RTPHeaderExtensions(parsingProfile: profile, body: bytes[index..<(index + 4 * words)])
            index += 4 * words
        }
        var end = bytes.endIndex
        var paddingLength: UInt8 = 0
        if first & 0x20 != 0 {
            // RFC 3550 §5.1: the last byte counts the padding, itself included.
            guard let count = bytes.last, count > 0, end - index >= Int(count) else {
                throw RTPWire.malformed("RTP padding count exceeds the packet")
            }
            paddingLength = count
            end -= Int(count)
        }
        header = RTPHeader(
            marker: bytes[start + 1] & 0x80 != 0, payloadType: bytes[start + 1] & 0x7F,
            sequenceNumber: RTPWire.read16(bytes, start + 2), timestamp: RTPWire.read32(bytes, start + 4),
            ssrc: RTPWire.read32(bytes, start + 8), csrcs: csrcs, extensions: extensions)
        payload = bytes[index..<end]
        self.paddingLength = paddingLength
    }

    /// Appends the packet to `buffer`; with reserved capacity this does not allocate.
    public func serialize(into buffer: inout [UInt8]) throws(RTCError) {
        try header.serialize(into: &buffer, hasPadding: paddingLength > 0)
        buffer.append(contentsOf: payload)
        if paddingLength > 0 {
            for _ in 1..<paddingLength { buffer.append(0) }
            buffer.append(paddingLength)
        }
    }

    /// The packet as a new byte array.
    public func serialized() throws(RTCError) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(header.serializedLength + payload.count + Int(paddingLength))
        try serialize(into: &buffer)
        return buffer
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.header == rhs.header && lhs.payload.elementsEqual(rhs.payload) && lhs.paddingLength == rhs.paddingLength
    }
}
