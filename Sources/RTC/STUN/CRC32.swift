/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), table-driven.
///
/// STUN FINGERPRINT (RFC 8489 §14.7) needs exactly this checksum; zlib is not a dependency of the
/// `RTC` target, and 256 table entries are cheaper than a new C binding.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }

    /// The CRC-32 of `bytes` (initial value and final xor 0xFFFFFFFF, as zlib's `crc32`).
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}
