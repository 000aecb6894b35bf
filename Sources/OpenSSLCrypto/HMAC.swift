import COpenSSL

/// Keyed message authentication through OpenSSL's one-shot `HMAC`.
///
/// Exists so that JWT signing (HS256) and STUN MESSAGE-INTEGRITY (HMAC-SHA1) share one
/// audited path to libcrypto instead of each module calling C directly.
public enum HMAC {
    /// The digests Steadfast needs; others are deliberately absent.
    public enum Digest: Sendable {
        case sha1, sha256

        /// Output length in bytes.
        public var size: Int { self == .sha1 ? 20 : 32 }

        fileprivate var evp: OpaquePointer? { self == .sha1 ? EVP_sha1() : EVP_sha256() }
    }

    /// HMAC of `message` under `key`. Never fails for in-memory input; a libcrypto failure
    /// (which would mean a broken installation) is reported as an error rather than a trap.
    public static func authenticate(
        _ message: some Collection<UInt8>, key: some Collection<UInt8>, digest: Digest
    ) throws(CryptoError) -> [UInt8] {
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = keyBytes.withUnsafeBytes { keyBuffer in
            messageBytes.withUnsafeBytes { messageBuffer in
                output.withUnsafeMutableBufferPointer { out in
                    COpenSSL.HMAC(
                        digest.evp, keyBuffer.baseAddress, Int32(keyBuffer.count),
                        messageBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBuffer.count,
                        out.baseAddress, &length) != nil
                }
            }
        }
        guard ok, Int(length) == digest.size else {
            throw CryptoError(.libraryFailure, "HMAC failed: \(OpenSSLErrorQueue.drain())")
        }
        return Array(output.prefix(Int(length)))
    }
}
