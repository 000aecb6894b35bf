/// SHUTDOWN (RFC 9260 §3.3.8): the sender's cumulative TSN ack. SHUTDOWN ACK (§3.3.9) and
/// SHUTDOWN COMPLETE (§3.3.13, T bit) carry nothing else and are cases of `SCTPChunk`.
public struct ShutdownChunk: Equatable, Sendable {
    public var cumulativeTSNAck: UInt32
    public init(cumulativeTSNAck: UInt32) { self.cumulativeTSNAck = cumulativeTSNAck }

    init(value: ArraySlice<UInt8>) throws(SCTPWireError) {
        var reader = ByteReader(value, what: "SHUTDOWN")
        cumulativeTSNAck = try reader.u32()
    }

    func serializeValue(into out: inout [UInt8]) { out.appendU32(cumulativeTSNAck) }
}
