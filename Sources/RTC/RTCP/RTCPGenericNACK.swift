/// Generic NACK (RFC 4585 §6.2.1, PT 205 FMT 1): the receiver asks for retransmission of lost packets.
///
/// Each FCI entry is a packet ID plus a 16-bit bitmask of the following lost packets.
public struct RTCPGenericNACK: Sendable, Equatable {
    public static let format: UInt8 = 1

    public struct Entry: Sendable, Equatable {
        public var packetID: UInt16
        /// Bit i set: packet `packetID + i + 1` is also lost.
        public var bitmask: UInt16

        public init(packetID: UInt16, bitmask: UInt16) {
            self.packetID = packetID
            self.bitmask = bitmask
        }
    }

    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    public var entries: [Entry]

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, entries: [Entry]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.entries = entries
    }

    /// Builds the shortest entry list for a set of lost sequence numbers (sorted by wrap-aware order).
    public init(senderSSRC: UInt32, mediaSSRC: UInt32, lostSequenceNumbers: [UInt16]) {
        var entries: [Entry] = []
        for sequence in lostSequenceNumbers {
            if var last = entries.last {
                let offset = sequence &- last.packetID
                if offset >= 1 && offset <= 16 {
                    last.bitmask |= 1 << (offset - 1)
                    entries[entries.count - 1] = last
                    continue
                }
                if offset == 0 { continue }
            }
            entries.append(Entry(packetID: sequence, bitmask: 0))
        }
        self.init(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, entries: entries)
    }

    /// Every sequence number this NACK asks for, in entry order.
    public var lostSequenceNumbers: [UInt16] {
        var result: [UInt16] = []
        for entry in entries {
            result.append(entry.packetID)
            for bit in 0..<16 where entry.bitmask & (1 << bit) != 0 {
                result.append(entry.packetID &+ UInt16(bit + 1))
            }
        }
        return result
    }

    init(parsing bytes: ArraySlice<UInt8>, at start: Int, end: Int) throws(RTCError) {
        guard end - start >= 12 else { throw RTPWire.malformed("RTCP NACK truncated") }
        senderSSRC = RTPWire.read32(bytes, start + 4)
        mediaSSRC = RTPWire.read32(bytes, start + 8)
        var entries: [Entry] = []
        var index = start + 12
        while end - index >= 4 {
            entries.append(Entry(packetID: RTPWire.read16(bytes, index), bitmask: RTPWire.read16(bytes, index + 2)))
            index += 4
        }
        self.entries = entries
    }

    public func serialize(into buffer: inout [UInt8]) {
        let start = RTCPCommonHeader.begin(&buffer, count: Self.format, packetType: RTCPPacketType.transportFeedback)
        RTPWire.append32(&buffer, senderSSRC)
        RTPWire.append32(&buffer, mediaSSRC)
        for entry in entries {
            RTPWire.append16(&buffer, entry.packetID)
            RTPWire.append16(&buffer, entry.bitmask)
        }
        RTCPCommonHeader.finish(&buffer, start: start)
    }
}
