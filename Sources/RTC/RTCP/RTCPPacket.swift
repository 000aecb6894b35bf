/// One RTCP packet of a compound datagram, as far as this stack understands RTCP.
public enum RTCPPacket: Sendable, Equatable {
    case senderReport(RTCPSenderReport)
    case receiverReport(RTCPReceiverReport)
    case sourceDescription(RTCPSourceDescription)
    case goodbye(RTCPGoodbye)
    case genericNACK(RTCPGenericNACK)

    /// Parses every packet of a compound RTCP datagram (RFC 3550 §6.1), after SRTCP unprotect.
    ///
    /// Packet types we do not handle (APP, PLI, REMB, TWCC, XR, ...) are skipped by their length.
    /// A truncated or inconsistent packet makes the whole datagram malformed, since the lengths that
    /// delimit the rest can no longer be trusted.
    public static func parseCompound(_ bytes: ArraySlice<UInt8>) throws(RTCError) -> [RTCPPacket] {
        var packets: [RTCPPacket] = []
        var index = bytes.startIndex
        guard !bytes.isEmpty else { throw RTPWire.malformed("empty RTCP datagram") }
        while index < bytes.endIndex {
            let header = try RTCPCommonHeader(parsing: bytes, at: index)
            var end = index + header.byteLength
            if header.padding {
                // RFC 3550 §6.4.1: the last octet counts the padding, itself included.
                let count = Int(bytes[end - 1])
                guard count > 0, count <= header.byteLength - 4 else { throw RTPWire.malformed("RTCP padding invalid") }
                end -= count
            }
            if let packet = try parseOne(bytes, header: header, at: index, end: end) { packets.append(packet) }
            index += header.byteLength
        }
        return packets
    }

    public static func parseCompound(_ bytes: [UInt8]) throws(RTCError) -> [RTCPPacket] {
        try parseCompound(bytes[...])
    }

    private static func parseOne(
        _ bytes: ArraySlice<UInt8>, header: RTCPCommonHeader, at index: Int, end: Int
    ) throws(RTCError) -> RTCPPacket? {
        switch header.packetType {
        case RTCPPacketType.senderReport:
            return .senderReport(try RTCPSenderReport(parsing: bytes, header: header, at: index, end: end))
        case RTCPPacketType.receiverReport:
            return .receiverReport(try RTCPReceiverReport(parsing: bytes, header: header, at: index, end: end))
        case RTCPPacketType.sourceDescription:
            return .sourceDescription(try RTCPSourceDescription(parsing: bytes, header: header, at: index, end: end))
        case RTCPPacketType.goodbye:
            return .goodbye(try RTCPGoodbye(parsing: bytes, header: header, at: index, end: end))
        case RTCPPacketType.transportFeedback where header.count == RTCPGenericNACK.format:
            return .genericNACK(try RTCPGenericNACK(parsing: bytes, at: index, end: end))
        default:
            return nil
        }
    }

    /// Appends this packet's encoding.
    public func serialize(into buffer: inout [UInt8]) {
        switch self {
        case .senderReport(let report): report.serialize(into: &buffer)
        case .receiverReport(let report): report.serialize(into: &buffer)
        case .sourceDescription(let description): description.serialize(into: &buffer)
        case .goodbye(let goodbye): goodbye.serialize(into: &buffer)
        case .genericNACK(let nack): nack.serialize(into: &buffer)
        }
    }

    /// Concatenates packets into one compound datagram. RFC 3550 §6.1 wants an SR or RR first and
    /// an SDES with CNAME in every compound packet; the caller orders them (the scheduler does).
    public static func serializeCompound(_ packets: [RTCPPacket]) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        for packet in packets { packet.serialize(into: &buffer) }
        return buffer
    }
}
