import COpenSSL

/// A certificate fingerprint as SDP carries it (`a=fingerprint:sha-256 AB:CD:…`, RFC 8122 §5).
///
/// In WebRTC this fingerprint, not a certificate chain, authenticates the peer: the self-signed
/// certificate it presents in the DTLS handshake must hash to the value it signalled.
public struct DTLSFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The hash functions RFC 8122 §5 names that OpenSSL provides.
    public enum Algorithm: String, Sendable, Hashable, CaseIterable {
        case sha1 = "sha-1"
        case sha224 = "sha-224"
        case sha256 = "sha-256"
        case sha384 = "sha-384"
        case sha512 = "sha-512"

        /// Digest length in bytes.
        public var digestLength: Int {
            switch self {
            case .sha1: 20
            case .sha224: 28
            case .sha256: 32
            case .sha384: 48
            case .sha512: 64
            }
        }

        /// The OpenSSL digest for this algorithm.
        var messageDigest: OpaquePointer? {
            switch self {
            case .sha1: EVP_sha1()
            case .sha224: EVP_sha224()
            case .sha256: EVP_sha256()
            case .sha384: EVP_sha384()
            case .sha512: EVP_sha512()
            }
        }
    }

    public let algorithm: Algorithm
    /// The raw digest of the certificate's DER encoding.
    public let digest: [UInt8]

    /// - Throws: `RTCError(.malformedSDP)` when the digest length does not fit the algorithm.
    public init(algorithm: Algorithm, digest: [UInt8]) throws(RTCError) {
        guard digest.count == algorithm.digestLength else {
            throw RTCError(.malformedSDP, "\(algorithm.rawValue) fingerprint needs \(algorithm.digestLength) bytes")
        }
        self.algorithm = algorithm
        self.digest = digest
    }

    /// Parses the value of an `a=fingerprint` attribute: `sha-256 AB:CD:…`.
    ///
    /// The hash name and the hex digits are case-insensitive (RFC 8122 §5).
    /// - Throws: `RTCError(.malformedSDP)` for an unknown hash, bad hex or a wrong digest length.
    public init(sdpValue: String) throws(RTCError) {
        let parts = sdpValue.split(whereSeparator: \.isWhitespace)
        guard parts.count == 2 else {
            throw RTCError(.malformedSDP, "fingerprint must be '<hash> <hex>', got \(parts.count) fields")
        }
        guard let algorithm = Algorithm(rawValue: parts[0].lowercased()) else {
            throw RTCError(.malformedSDP, "unsupported fingerprint hash '\(parts[0].prefix(16))'")
        }
        var digest: [UInt8] = []
        for pair in parts[1].split(separator: ":", omittingEmptySubsequences: false) {
            guard pair.count == 2, let byte = UInt8(pair, radix: 16) else {
                throw RTCError(.malformedSDP, "fingerprint digest is not colon-separated hex pairs")
            }
            digest.append(byte)
        }
        try self.init(algorithm: algorithm, digest: digest)
    }

    /// Hashes a DER-encoded certificate; this is what the peer's SDP fingerprint must equal.
    /// - Throws: `RTCError(.crypto)` if OpenSSL cannot compute the digest.
    public init(hashingCertificateDER der: [UInt8], algorithm: Algorithm = .sha256) throws(RTCError) {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = der.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &output, &length, algorithm.messageDigest, nil) == 1
        }
        guard ok else { throw RTCError(.crypto, "EVP_Digest(\(algorithm.rawValue)) failed") }
        try self.init(algorithm: algorithm, digest: Array(output.prefix(Int(length))))
    }

    /// Hashes an OpenSSL `X509` (its DER encoding), for the handshake's certificate check.
    init(hashing certificate: OpaquePointer, algorithm: Algorithm) throws(RTCError) {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(certificate, algorithm.messageDigest, &output, &length) == 1 else {
            throw RTCError(.crypto, "X509_digest(\(algorithm.rawValue)) failed")
        }
        try self.init(algorithm: algorithm, digest: Array(output.prefix(Int(length))))
    }

    /// Upper-case hex pairs joined by colons: `AB:CD:…`.
    public var hexDigest: String {
        let digits: [Character] = Array("0123456789ABCDEF")
        return digest.map { String([digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]]) }.joined(separator: ":")
    }

    /// The attribute value to put after `a=fingerprint:`, e.g. `sha-256 AB:CD:…`.
    public var sdpValue: String { "\(algorithm.rawValue) \(hexDigest)" }

    public var description: String { sdpValue }
}
