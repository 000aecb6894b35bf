/// The Data Channel Establishment Protocol (RFC 8832 §5), carried on PPID 50: DATA_CHANNEL_OPEN
/// names a channel and its reliability; DATA_CHANNEL_ACK confirms it.
public enum DCEPMessage: Equatable, Sendable {
    case open(DataChannelOpen)
    case ack

    public static let openType: UInt8 = 0x03
    public static let ackType: UInt8 = 0x02
    /// Label and protocol are at most this long each: UTF-16 would allow 65,535 bytes, but a peer
    /// that sends a 64 KiB label is testing us, and RFC 8831 §6.4 leaves the limit to us.
    public static let maxStringLength = 1024

    public static func parse(_ bytes: [UInt8]) throws(SCTPWireError) -> DCEPMessage {
        var reader = ByteReader(bytes[...], what: "DCEP message")
        switch try reader.u8() {
        case ackType:
            return .ack
        case openType:
            let type = try reader.u8()
            let priority = try reader.u16()
            let parameter = try reader.u32()
            let labelLength = Int(try reader.u16())
            let protocolLength = Int(try reader.u16())
            guard labelLength <= maxStringLength, protocolLength <= maxStringLength else {
                throw .malformed("DATA_CHANNEL_OPEN label or protocol over \(maxStringLength) bytes")
            }
            guard let channelType = DataChannelOpen.ChannelType(rawValue: type) else {
                throw .malformed("DATA_CHANNEL_OPEN channel type 0x\(String(type, radix: 16))")
            }
            let label = try reader.take(labelLength)
            let proto = try reader.take(protocolLength)
            guard let labelText = String(validating: label, as: UTF8.self),
                  let protoText = String(validating: proto, as: UTF8.self) else {
                throw .malformed("DATA_CHANNEL_OPEN label or protocol not UTF-8")
            }
            return .open(DataChannelOpen(channelType: channelType, priority: priority, reliabilityParameter: parameter,
                                         label: labelText, protocol: protoText))
        case let other:
            throw .malformed("DCEP message type 0x\(String(other, radix: 16))")
        }
    }

    public func serialize() -> [UInt8] {
        switch self {
        case .ack:
            return [Self.ackType]
        case .open(let open):
            var out: [UInt8] = [Self.openType, open.channelType.rawValue]
            let label = Array(open.label.utf8.prefix(Self.maxStringLength))
            let proto = Array(open.protocol.utf8.prefix(Self.maxStringLength))
            out.appendU16(open.priority)
            out.appendU32(open.reliabilityParameter)
            out.appendU16(UInt16(label.count))
            out.appendU16(UInt16(proto.count))
            out.append(contentsOf: label)
            out.append(contentsOf: proto)
            return out
        }
    }
}

public struct DataChannelOpen: Equatable, Sendable {
    /// RFC 8832 §5.1: reliable, partial reliability by retransmissions or by lifetime (ms);
    /// `0x80` marks the unordered variant of each.
    public enum ChannelType: UInt8, Sendable {
        case reliable = 0x00, partialReliableRexmit = 0x01, partialReliableTimed = 0x02
        case reliableUnordered = 0x80, partialReliableRexmitUnordered = 0x81, partialReliableTimedUnordered = 0x82
    }

    public var channelType: ChannelType
    public var priority: UInt16
    public var reliabilityParameter: UInt32
    public var label: String
    public var `protocol`: String

    public init(channelType: ChannelType, priority: UInt16 = 256, reliabilityParameter: UInt32 = 0, label: String, protocol: String = "") {
        self.channelType = channelType
        self.priority = priority
        self.reliabilityParameter = reliabilityParameter
        self.label = label
        self.protocol = `protocol`
    }
}

/// Payload protocol identifiers of WebRTC data channels (RFC 8831 §8). Empty messages travel as
/// one zero byte with the "empty" PPID, since SCTP DATA cannot be empty.
public enum PPID {
    public static let dcep: UInt32 = 50
    public static let string: UInt32 = 51
    public static let binary: UInt32 = 53
    public static let stringEmpty: UInt32 = 56
    public static let binaryEmpty: UInt32 = 57
}
