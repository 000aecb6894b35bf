/// Big-endian reads and appends shared by the RTP and RTCP codecs.
///
/// A namespace rather than extensions on `Array`, so other parts of the `RTC` module can keep
/// their own helpers without name clashes. Reads take absolute indices into an `ArraySlice`
/// (callers check bounds first); appends never allocate when the buffer has reserved capacity.
enum RTPWire {
    @inline(__always)
    static func read16(_ bytes: ArraySlice<UInt8>, _ index: Int) -> UInt16 {
        UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
    }

    @inline(__always)
    static func read24(_ bytes: ArraySlice<UInt8>, _ index: Int) -> UInt32 {
        UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
    }

    @inline(__always)
    static func read32(_ bytes: ArraySlice<UInt8>, _ index: Int) -> UInt32 {
        UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8
            | UInt32(bytes[index + 3])
    }

    @inline(__always)
    static func append16(_ buffer: inout [UInt8], _ value: UInt16) {
        buffer.append(UInt8(truncatingIfNeeded: value >> 8))
        buffer.append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    static func append24(_ buffer: inout [UInt8], _ value: UInt32) {
        buffer.append(UInt8(truncatingIfNeeded: value >> 16))
        buffer.append(UInt8(truncatingIfNeeded: value >> 8))
        buffer.append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    static func append32(_ buffer: inout [UInt8], _ value: UInt32) {
        buffer.append(UInt8(truncatingIfNeeded: value >> 24))
        buffer.append(UInt8(truncatingIfNeeded: value >> 16))
        buffer.append(UInt8(truncatingIfNeeded: value >> 8))
        buffer.append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    static func write16(_ buffer: inout [UInt8], at index: Int, _ value: UInt16) {
        buffer[index] = UInt8(truncatingIfNeeded: value >> 8)
        buffer[index + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Appends zero bytes until `buffer.count - start` is a multiple of four (32-bit word alignment).
    @inline(__always)
    static func padToWord(_ buffer: inout [UInt8], from start: Int) {
        while (buffer.count - start) % 4 != 0 { buffer.append(0) }
    }

    static func malformed(_ message: String) -> RTCError { RTCError(.malformedPacket, message) }
}
