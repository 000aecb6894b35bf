/// Why an SCTP or DCEP message could not be read. Bytes from a peer never trap the core: every
/// parser returns one of these instead.
public enum SCTPWireError: Error, Equatable, CustomStringConvertible {
    case truncated(String)
    case badLength(String)
    case badChecksum
    case tooManyChunks
    case malformed(String)

    public var description: String {
        switch self {
        case .truncated(let what): "SCTP: truncated \(what)"
        case .badLength(let what): "SCTP: bad length in \(what)"
        case .badChecksum: "SCTP: CRC32c mismatch"
        case .tooManyChunks: "SCTP: more than \(SCTPPacket.maxChunks) chunks in one packet"
        case .malformed(let what): "SCTP: malformed \(what)"
        }
    }
}

/// A bounds-checked big-endian reader over a byte slice; every read throws instead of trapping.
struct ByteReader {
    private let bytes: ArraySlice<UInt8>
    private(set) var offset: Int
    let what: String

    init(_ bytes: ArraySlice<UInt8>, what: String) {
        self.bytes = bytes
        self.offset = bytes.startIndex
        self.what = what
    }

    var remaining: Int { bytes.endIndex - offset }

    mutating func u8() throws(SCTPWireError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(what) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(SCTPWireError) -> UInt16 {
        guard remaining >= 2 else { throw .truncated(what) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() throws(SCTPWireError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated(what) }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func take(_ count: Int) throws(SCTPWireError) -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else { throw .truncated(what) }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func rest() -> ArraySlice<UInt8> {
        defer { offset = bytes.endIndex }
        return bytes[offset...]
    }
}

extension Array where Element == UInt8 {
    mutating func appendU16(_ value: UInt16) {
        append(UInt8(value >> 8)); append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendU32(_ value: UInt32) {
        append(UInt8(value >> 24)); append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8)); append(UInt8(truncatingIfNeeded: value))
    }

    /// Zero bytes up to the next multiple of four (chunks and parameters are 4-byte aligned).
    mutating func padTo4() {
        while count % 4 != 0 { append(0) }
    }
}

/// A type-length-value parameter (RFC 9260 §3.2.1), used by INIT/INIT ACK, HEARTBEAT, RE-CONFIG
/// and error causes alike.
public struct SCTPParameter: Equatable, Sendable {
    public var type: UInt16
    public var value: [UInt8]

    public init(type: UInt16, value: [UInt8]) {
        self.type = type
        self.value = value
    }

    /// At most this many parameters per chunk: WebRTC's INITs carry a handful.
    static let maxCount = 64

    static func parseAll(_ bytes: ArraySlice<UInt8>, what: String) throws(SCTPWireError) -> [SCTPParameter] {
        var reader = ByteReader(bytes, what: what)
        var parameters: [SCTPParameter] = []
        while reader.remaining >= 4 {
            guard parameters.count < maxCount else { throw .malformed("\(what): too many parameters") }
            let type = try reader.u16()
            let length = Int(try reader.u16())
            guard length >= 4, length - 4 <= reader.remaining else { throw .badLength(what) }
            let value = try reader.take(length - 4)
            _ = try? reader.take(min((4 - length % 4) % 4, reader.remaining))
            parameters.append(SCTPParameter(type: type, value: Array(value)))
        }
        return parameters
    }

    func serialize(into out: inout [UInt8]) {
        out.appendU16(type)
        out.appendU16(UInt16(4 + value.count))
        out.append(contentsOf: value)
        out.padTo4()
    }
}
