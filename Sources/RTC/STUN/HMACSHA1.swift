import OpenSSLCrypto

/// The HMAC-SHA1 that STUN MESSAGE-INTEGRITY uses, through the project's one OpenSSL path.
enum HMACSHA1 {
    static func authenticate(_ message: [UInt8], key: [UInt8]) throws(CryptoError) -> [UInt8] {
        try HMAC.authenticate(message, key: key, digest: .sha1)
    }
}
