/// The RTP fixed header, CSRC list and header extensions (RFC 3550 §5.1, RFC 8285).
///
/// Version is always 2; the padding bit is derived from `RTPPacket.paddingLength` when writing.
public struct RTPHeader: Sendable, Equatable {
    public var marker: Bool
    /// 0–127, dynamic for Opus (negotiated in SDP).
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    /// Contributing sources; at most 15. Empty (and allocation-free) for a plain sender.
    public var csrcs: [UInt32]
    public var extensions: RTPHeaderExtensions

    public init(
        marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
        csrcs: [UInt32] = [], extensions: RTPHeaderExtensions = .none
    ) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.extensions = extensions
    }

    /// Bytes this header occupies on the wire.
    public var serializedLength: Int {
        12 + 4 * csrcs.count + (extensions.isPresent ? 4 + extensions.body.count : 0)
    }

    /// Appends the header to `buffer`. The padding bit is set when `hasPadding`.
    public func serialize(into buffer: inout [UInt8], hasPadding: Bool = false) throws(RTCError) {
        guard csrcs.count <= 15, payloadType <= 127 else {
            throw RTCError(.invalidState, "RTP header with \(csrcs.count) CSRCs or payload type \(payloadType)")
        }
        guard extensions.body.count % 4 == 0, extensions.body.count / 4 <= Int(UInt16.max) else {
            throw RTCError(.invalidState, "RTP header extension body is not whole 32-bit words")
        }
        var first: UInt8 = 0x80 | UInt8(csrcs.count)
        if hasPadding { first |= 0x20 }
        if extensions.isPresent { first |= 0x10 }
        buffer.append(first)
        buffer.append((marker ? 0x80 : 0) | payloadType)
        RTPWire.append16(&buffer, sequenceNumber)
        RTPWire.append32(&buffer, timestamp)
        RTPWire.append32(&buffer, ssrc)
        for csrc in csrcs { RTPWire.append32(&buffer, csrc) }
        if extensions.isPresent {
            RTPWire.append16(&buffer, extensions.profile)
            RTPWire.append16(&buffer, UInt16(extensions.body.count / 4))
            buffer.append(contentsOf: extensions.body)
        }
    }
}
