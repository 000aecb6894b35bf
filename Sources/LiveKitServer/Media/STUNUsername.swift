/// The one STUN field the media plane reads to demultiplex a new peer: the USERNAME of a binding
/// request (RFC 8489 §14.3), `<our ufrag>:<their ufrag>` in ICE (RFC 8445 §7.2.2). Bounded: it
/// reads at most the message's declared length and never traps on garbage.
enum STUNUsername {
    static func localFragment(_ bytes: [UInt8]) -> String? {
        // RFC 8489 §5: 20-byte header, top two bits zero, magic cookie 0x2112A442.
        guard bytes.count >= 20, bytes[0] & 0xC0 == 0,
              bytes[4] == 0x21, bytes[5] == 0x12, bytes[6] == 0xA4, bytes[7] == 0x42 else { return nil }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        let end = min(bytes.count, 20 + length)
        var offset = 20
        while offset + 4 <= end {
            let type = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            let valueLength = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let start = offset + 4
            guard start + valueLength <= end else { return nil }
            if type == 0x0006 {
                let username = String(decoding: bytes[start..<start + valueLength], as: UTF8.self)
                return username.split(separator: ":", maxSplits: 1).first.map(String.init)
            }
            offset = start + (valueLength + 3) & ~3
        }
        return nil
    }
}
