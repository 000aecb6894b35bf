import COpenSSL

/// Randomness and comparisons that must not leak timing.
public enum SecureBytes {
    /// `count` bytes from OpenSSL's CSPRNG (ICE credentials, SRTP salts, token ids).
    public static func random(count: Int) throws(CryptoError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) == 1 }
        guard ok else { throw CryptoError(.libraryFailure, "RAND_bytes failed: \(OpenSSLErrorQueue.drain())") }
        return bytes
    }

    /// Compares in time that depends only on the lengths, never on where the inputs differ,
    /// so that signature checks cannot be probed byte by byte.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.isEmpty { return true }
        return lhs.withUnsafeBytes { a in
            rhs.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 }
        }
    }
}
