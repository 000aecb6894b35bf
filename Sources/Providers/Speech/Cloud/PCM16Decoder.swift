/// Turns a raw 16-bit little-endian PCM byte stream into samples, whatever the chunking.
///
/// HTTP delivers bytes in arbitrary pieces, so a sample can be split across two chunks; the odd
/// byte is carried over to the next `decode` call. A pure value: no IO, trivially testable.
struct PCM16Decoder: Sendable {
    private var carry: UInt8?

    init() {}

    /// The whole samples completed by `bytes` (plus any byte carried from the previous chunk).
    mutating func decode(_ bytes: [UInt8]) -> [Int16] {
        guard !bytes.isEmpty else { return [] }
        var samples: [Int16] = []
        samples.reserveCapacity((bytes.count + 1) / 2)
        var index = 0
        if let low = carry {
            samples.append(Self.sample(low, bytes[0]))
            carry = nil
            index = 1
        }
        while index + 1 < bytes.count {
            samples.append(Self.sample(bytes[index], bytes[index + 1]))
            index += 2
        }
        if index < bytes.count { carry = bytes[index] }
        return samples
    }

    /// True when the stream ended in the middle of a sample (the byte is dropped, not guessed at).
    var hasDanglingByte: Bool { carry != nil }

    private static func sample(_ low: UInt8, _ high: UInt8) -> Int16 {
        Int16(bitPattern: UInt16(low) | UInt16(high) << 8)
    }
}
