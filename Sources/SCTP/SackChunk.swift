/// SACK (RFC 9260 §3.3.4): the cumulative TSN, the receive window, gap-ack blocks (offsets from the
/// cumulative TSN) and duplicate TSNs. The counts in the header must match the chunk's length.
public struct SackChunk: Equatable, Sendable {
    public struct GapBlock: Equatable, Sendable {
        public var start: UInt16
        public var end: UInt16
        public init(start: UInt16, end: UInt16) {
            self.start = start
            self.end = end
        }
    }

    public var cumulativeTSNAck: UInt32
    public var advertisedReceiverWindow: UInt32
    public var gapBlocks: [GapBlock]
    public var duplicateTSNs: [UInt32]

    public init(cumulativeTSNAck: UInt32, advertisedReceiverWindow: UInt32, gapBlocks: [GapBlock] = [], duplicateTSNs: [UInt32] = []) {
        self.cumulativeTSNAck = cumulativeTSNAck
        self.advertisedReceiverWindow = advertisedReceiverWindow
        self.gapBlocks = gapBlocks
        self.duplicateTSNs = duplicateTSNs
    }

    init(value: ArraySlice<UInt8>) throws(SCTPWireError) {
        var reader = ByteReader(value, what: "SACK")
        cumulativeTSNAck = try reader.u32()
        advertisedReceiverWindow = try reader.u32()
        let gaps = Int(try reader.u16())
        let dups = Int(try reader.u16())
        guard reader.remaining == gaps * 4 + dups * 4 else { throw .badLength("SACK") }
        gapBlocks = []
        gapBlocks.reserveCapacity(gaps)
        for _ in 0..<gaps {
            gapBlocks.append(GapBlock(start: try reader.u16(), end: try reader.u16()))
        }
        duplicateTSNs = []
        duplicateTSNs.reserveCapacity(dups)
        for _ in 0..<dups { duplicateTSNs.append(try reader.u32()) }
    }

    func serializeValue(into out: inout [UInt8]) {
        out.appendU32(cumulativeTSNAck)
        out.appendU32(advertisedReceiverWindow)
        out.appendU16(UInt16(gapBlocks.count))
        out.appendU16(UInt16(duplicateTSNs.count))
        for block in gapBlocks { out.appendU16(block.start); out.appendU16(block.end) }
        for tsn in duplicateTSNs { out.appendU32(tsn) }
    }
}
