/// An SCTP packet: the 12-byte common header and its chunks (RFC 9260 §3). Over DTLS (RFC 8261)
/// one DTLS record carries exactly one packet.
public struct SCTPPacket: Equatable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var verificationTag: UInt32
    public var chunks: [SCTPChunk]

    /// A bound on chunks per packet: a 1,200-byte packet holds at most 300 four-byte chunks, and
    /// more is an attack on our loop, not SCTP.
    public static let maxChunks = 300
    public static let headerSize = 12

    public init(sourcePort: UInt16 = 5000, destinationPort: UInt16 = 5000, verificationTag: UInt32, chunks: [SCTPChunk]) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.verificationTag = verificationTag
        self.chunks = chunks
    }

    /// Parses and checks the CRC32c. Chunks of unknown type are kept as `.unknown` (the association
    /// applies the RFC 9260 §3.2 "upper two bits" rule to them).
    public static func parse(_ bytes: [UInt8], verifyChecksum: Bool = true) throws(SCTPWireError) -> SCTPPacket {
        guard bytes.count >= headerSize else { throw .truncated("common header") }
        if verifyChecksum {
            let stored = UInt32(bytes[8]) | UInt32(bytes[9]) << 8 | UInt32(bytes[10]) << 16 | UInt32(bytes[11]) << 24
            var zeroed = bytes
            zeroed[8] = 0; zeroed[9] = 0; zeroed[10] = 0; zeroed[11] = 0
            guard CRC32c.checksum(zeroed) == stored else { throw .badChecksum }
        }
        var reader = ByteReader(bytes[...], what: "common header")
        let source = try reader.u16()
        let destination = try reader.u16()
        let tag = try reader.u32()
        _ = try reader.u32()
        var chunks: [SCTPChunk] = []
        while reader.remaining > 0 {
            guard chunks.count < maxChunks else { throw .tooManyChunks }
            guard reader.remaining >= 4 else { throw .truncated("chunk header") }
            let type = try reader.u8()
            let flags = try reader.u8()
            let length = Int(try reader.u16())
            guard length >= 4, length - 4 <= reader.remaining else { throw .badLength("chunk type \(type)") }
            let value = try reader.take(length - 4)
            // The last chunk's padding may be absent; otherwise skip it.
            _ = try? reader.take(min((4 - length % 4) % 4, reader.remaining))
            chunks.append(try SCTPChunk.parse(type: type, flags: flags, value: value))
        }
        return SCTPPacket(sourcePort: source, destinationPort: destination, verificationTag: tag, chunks: chunks)
    }

    /// The wire bytes, CRC32c included (stored least-significant byte first, RFC 9260 Appendix B).
    public func serialize() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(SCTPPacket.headerSize + chunks.reduce(0) { $0 + $1.serializedSize })
        out.appendU16(sourcePort)
        out.appendU16(destinationPort)
        out.appendU32(verificationTag)
        out.appendU32(0)
        for chunk in chunks { chunk.serialize(into: &out) }
        let crc = CRC32c.checksum(out)
        out[8] = UInt8(truncatingIfNeeded: crc)
        out[9] = UInt8(truncatingIfNeeded: crc >> 8)
        out[10] = UInt8(truncatingIfNeeded: crc >> 16)
        out[11] = UInt8(truncatingIfNeeded: crc >> 24)
        return out
    }
}
