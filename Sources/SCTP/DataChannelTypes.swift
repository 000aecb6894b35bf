/// A data-channel message as the application sees it (RFC 8831 §6.6: string or binary, either
/// possibly empty).
public enum DataChannelMessage: Hashable, Sendable {
    case text(String)
    case binary([UInt8])

    /// The PPID and the SCTP payload: an empty message is one zero byte with the "empty" PPID.
    var wire: (ppid: UInt32, payload: [UInt8]) {
        switch self {
        case .text(let text):
            let bytes = Array(text.utf8)
            return bytes.isEmpty ? (PPID.stringEmpty, [0]) : (PPID.string, bytes)
        case .binary(let bytes):
            return bytes.isEmpty ? (PPID.binaryEmpty, [0]) : (PPID.binary, bytes)
        }
    }

    /// The payload size the W3C API counts (an empty message is 0, though one byte goes on the wire).
    public var byteCount: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .binary(let bytes): bytes.count
        }
    }
}

/// How a channel is opened (the W3C `RTCDataChannelInit` fields that reach the wire).
public struct DataChannelOptions: Hashable, Sendable {
    public var label: String
    public var `protocol`: String
    public var ordered: Bool
    /// Partial reliability: give up on a message after this many retransmissions (RFC 3758).
    public var maxRetransmits: UInt32?
    /// Partial reliability: give up on a message this long after it was sent (RFC 3758 timed).
    public var maxPacketLifeTime: Duration?
    /// Pre-negotiated (`negotiated: true`): both sides open the same stream id and no DCEP is sent.
    public var negotiatedID: UInt16?
    public var priority: UInt16

    public init(label: String, protocol: String = "", ordered: Bool = true, maxRetransmits: UInt32? = nil,
                maxPacketLifeTime: Duration? = nil, negotiatedID: UInt16? = nil, priority: UInt16 = 256) {
        self.label = label
        self.protocol = `protocol`
        self.ordered = ordered
        self.maxRetransmits = maxRetransmits
        self.maxPacketLifeTime = maxPacketLifeTime
        self.negotiatedID = negotiatedID
        self.priority = priority
    }

    var channelType: DataChannelOpen.ChannelType {
        switch (ordered, maxRetransmits, maxPacketLifeTime) {
        case (true, .some, _): .partialReliableRexmit
        case (true, nil, .some): .partialReliableTimed
        case (true, nil, nil): .reliable
        case (false, .some, _): .partialReliableRexmitUnordered
        case (false, nil, .some): .partialReliableTimedUnordered
        case (false, nil, nil): .reliableUnordered
        }
    }

    var reliabilityParameter: UInt32 {
        if let maxRetransmits { return maxRetransmits }
        if let maxPacketLifeTime {
            let ms = maxPacketLifeTime.components.seconds * 1000 + maxPacketLifeTime.components.attoseconds / 1_000_000_000_000_000
            return UInt32(clamping: ms)
        }
        return 0
    }

    init(open: DataChannelOpen, id: UInt16) {
        let unordered = open.channelType.rawValue & 0x80 != 0
        var options = DataChannelOptions(label: open.label, protocol: open.protocol, ordered: !unordered, priority: open.priority)
        switch open.channelType.rawValue & 0x7F {
        case 0x01: options.maxRetransmits = open.reliabilityParameter
        case 0x02: options.maxPacketLifeTime = .milliseconds(Int64(open.reliabilityParameter))
        default: break
        }
        self = options
    }
}

/// An open channel as events report it.
public struct DataChannelInfo: Equatable, Sendable {
    public var id: UInt16
    public var options: DataChannelOptions
    /// True when the peer opened it (DCEP OPEN received).
    public var remote: Bool
}

/// Counters of one association, for the stats line and the tests.
public struct SCTPStats: Equatable, Sendable {
    public var packetsSent = 0
    public var packetsReceived = 0
    /// Packets dropped before processing: bad checksum, bad tag, unparsable.
    public var packetsDropped = 0
    public var messagesSent = 0
    public var messagesReceived = 0
    public var bytesSent = 0
    public var bytesReceived = 0
    public var retransmittedChunks = 0
    public var abandonedMessages = 0
    public var fastRetransmits = 0
    public var t3Expirations = 0
}
