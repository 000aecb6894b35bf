/// SDES (RFC 3550 §6.5): we send and read only CNAME, which ties an SSRC to an endpoint (§6.5.1).
public struct RTCPSourceDescription: Sendable, Equatable {
    /// One SSRC and its CNAME (nil when the chunk carried only other items).
    public struct Chunk: Sendable, Equatable {
        public var ssrc: UInt32
        public var cname: String?

        public init(ssrc: UInt32, cname: String?) {
            self.ssrc = ssrc
            self.cname = cname
        }
    }

    public var chunks: [Chunk]

    public init(chunks: [Chunk]) { self.chunks = chunks }

    init(parsing bytes: ArraySlice<UInt8>, header: RTCPCommonHeader, at start: Int, end: Int) throws(RTCError) {
        var chunks: [Chunk] = []
        var index = start + 4
        for _ in 0..<header.count {
            guard end - index >= 4 else { throw RTPWire.malformed("RTCP SDES chunk truncated") }
            var chunk = Chunk(ssrc: RTPWire.read32(bytes, index), cname: nil)
            index += 4
            // Items until a zero type byte; the chunk then pads to a word boundary (§6.5).
            while true {
                guard index < end else { throw RTPWire.malformed("RTCP SDES items unterminated") }
                let type = bytes[index]
                if type == 0 { break }
                guard end - index >= 2, end - index - 2 >= Int(bytes[index + 1]) else {
                    throw RTPWire.malformed("RTCP SDES item truncated")
                }
                let length = Int(bytes[index + 1])
                if type == 1 {
                    chunk.cname = String(decoding: bytes[(index + 2)..<(index + 2 + length)], as: UTF8.self)
                }
                index += 2 + length
            }
            index += 1
            while (index - start) % 4 != 0 { index += 1 }
            guard index <= end else { throw RTPWire.malformed("RTCP SDES padding truncated") }
            chunks.append(chunk)
        }
        self.chunks = chunks
    }

    public func serialize(into buffer: inout [UInt8]) {
        let written = chunks.prefix(31)
        let start = RTCPCommonHeader.begin(
            &buffer, count: UInt8(written.count), packetType: RTCPPacketType.sourceDescription)
        for chunk in written {
            RTPWire.append32(&buffer, chunk.ssrc)
            if let cname = chunk.cname {
                let bytes = cname.utf8.prefix(255)
                buffer.append(1)
                buffer.append(UInt8(bytes.count))
                buffer.append(contentsOf: bytes)
            }
            // The terminating null item, then pad; RFC 3550 §6.5 needs at least one null octet.
            buffer.append(0)
            RTPWire.padToWord(&buffer, from: start)
        }
        RTCPCommonHeader.finish(&buffer, start: start)
    }
}
