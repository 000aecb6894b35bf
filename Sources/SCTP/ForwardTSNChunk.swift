/// FORWARD TSN (RFC 3758 §3.2): tells the receiver to move its cumulative TSN past abandoned
/// messages, and for each ordered stream touched, the last stream sequence number skipped.
public struct ForwardTSNChunk: Equatable, Sendable {
    public struct Skipped: Equatable, Sendable {
        public var streamID: UInt16
        public var ssn: UInt16
        public init(streamID: UInt16, ssn: UInt16) {
            self.streamID = streamID
            self.ssn = ssn
        }
    }

    public var newCumulativeTSN: UInt32
    public var skipped: [Skipped]

    public init(newCumulativeTSN: UInt32, skipped: [Skipped] = []) {
        self.newCumulativeTSN = newCumulativeTSN
        self.skipped = skipped
    }

    init(value: ArraySlice<UInt8>) throws(SCTPWireError) {
        var reader = ByteReader(value, what: "FORWARD TSN")
        newCumulativeTSN = try reader.u32()
        guard reader.remaining % 4 == 0 else { throw .badLength("FORWARD TSN") }
        skipped = []
        while reader.remaining > 0 {
            skipped.append(Skipped(streamID: try reader.u16(), ssn: try reader.u16()))
        }
    }

    func serializeValue(into out: inout [UInt8]) {
        out.appendU32(newCumulativeTSN)
        for entry in skipped { out.appendU16(entry.streamID); out.appendU16(entry.ssn) }
    }
}
