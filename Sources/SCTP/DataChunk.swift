/// DATA (RFC 9260 §3.3.1): one fragment of one user message.
public struct DataChunk: Equatable, Sendable {
    public var tsn: UInt32
    public var streamID: UInt16
    public var ssn: UInt16
    public var ppid: UInt32
    public var userData: [UInt8]
    public var unordered: Bool
    public var beginning: Bool
    public var ending: Bool
    /// The I bit (RFC 7053): ask for an immediate SACK.
    public var immediate: Bool

    public init(tsn: UInt32, streamID: UInt16, ssn: UInt16, ppid: UInt32, userData: [UInt8],
                unordered: Bool = false, beginning: Bool = true, ending: Bool = true, immediate: Bool = false) {
        self.tsn = tsn
        self.streamID = streamID
        self.ssn = ssn
        self.ppid = ppid
        self.userData = userData
        self.unordered = unordered
        self.beginning = beginning
        self.ending = ending
        self.immediate = immediate
    }

    var flags: UInt8 {
        (immediate ? 0x08 : 0) | (unordered ? 0x04 : 0) | (beginning ? 0x02 : 0) | (ending ? 0x01 : 0)
    }

    init(flags: UInt8, value: ArraySlice<UInt8>) throws(SCTPWireError) {
        var reader = ByteReader(value, what: "DATA")
        tsn = try reader.u32()
        streamID = try reader.u16()
        ssn = try reader.u16()
        ppid = try reader.u32()
        userData = Array(reader.rest())
        immediate = flags & 0x08 != 0
        unordered = flags & 0x04 != 0
        beginning = flags & 0x02 != 0
        ending = flags & 0x01 != 0
    }

    func serializeValue(into out: inout [UInt8]) {
        out.appendU32(tsn)
        out.appendU16(streamID)
        out.appendU16(ssn)
        out.appendU32(ppid)
        out.append(contentsOf: userData)
    }
}
