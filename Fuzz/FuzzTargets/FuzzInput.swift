/// Cuts one fuzz input into the pieces a multi-step target needs (op codes, framed messages), so
/// mutations of a byte change one step rather than reshuffling the whole input.
///
/// Framing: a frame is a 2-byte big-endian length followed by that many bytes; a length running past
/// the end takes what is left. Seeds are written with `FuzzInput.frame(_:)`.
struct FuzzInput {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }

    mutating func byte() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func frame() -> [UInt8]? {
        guard let high = byte() else { return nil }
        let low = byte() ?? 0
        let length = min(Int(high) << 8 | Int(low), bytes.count - index)
        defer { index += length }
        return Array(bytes[index..<(index + length)])
    }

    /// The encoding `frame()` reads.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        let length = min(payload.count, 0xFFFF)
        return [UInt8(length >> 8), UInt8(length & 0xFF)] + payload.prefix(length)
    }
}
