import COpenSSL
import OpenSSLCrypto

/// A fresh self-signed ECDSA P-256 certificate and its key, for one WebRTC session or process.
///
/// WebRTC authenticates DTLS by the SDP fingerprint, not by a CA (RFC 8827 §6.5), so the certificate
/// carries a random serial and common name, is valid from a day ago (clock skew) for `validity`, and is
/// signed with its own key. `fingerprint` is what goes into `a=fingerprint`.
public final class DTLSCertificate: @unchecked Sendable {
    // SAFETY: both handles are written only during init and never mutated afterwards; OpenSSL's
    // reference counts (taken by SSL_CTX_use_certificate/PrivateKey) are atomic, so sharing the
    // certificate between transports on different tasks is safe.
    let certificate: OpaquePointer
    let privateKey: OpaquePointer

    /// The SHA-256 fingerprint of the certificate, for the local SDP.
    public let fingerprint: DTLSFingerprint
    /// The certificate in DER form.
    public let derEncoded: [UInt8]

    /// Generates a key pair and a self-signed certificate.
    /// - Parameters:
    ///   - commonName: the subject and issuer CN; a random hex string when nil (no identity is implied).
    ///   - validity: how long after now the certificate stays valid.
    /// - Throws: `RTCError(.crypto)` with OpenSSL's error queue if any step fails.
    public init(commonName: String? = nil, validity: Duration = .seconds(30 * 24 * 3600)) throws(RTCError) {
        OpenSSLErrorQueue.clear()
        let key = try Self.generateP256Key()
        guard let x509 = X509_new() else {
            EVP_PKEY_free(key)
            throw RTCError(.crypto, "X509_new failed")
        }
        do {
            let name: String
            if let commonName { name = commonName } else { name = try Self.randomHex(byteCount: 8) }
            try Self.fill(x509, key: key, commonName: name, validitySeconds: Int(validity.components.seconds))
            derEncoded = try Self.der(of: x509)
            fingerprint = try DTLSFingerprint(hashing: x509, algorithm: .sha256)
        } catch {
            X509_free(x509)
            EVP_PKEY_free(key)
            throw error
        }
        certificate = x509
        privateKey = key
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(privateKey)
    }

    private static func generateP256Key() throws(RTCError) -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw RTCError(.crypto, "EVP_PKEY_CTX_new_from_name(EC): \(OpenSSLErrorQueue.drain())")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
            EVP_PKEY_keygen(context, &key) == 1, let key
        else {
            throw RTCError(.crypto, "P-256 key generation failed: \(OpenSSLErrorQueue.drain())")
        }
        return key
    }

    private static func fill(_ x509: OpaquePointer, key: OpaquePointer, commonName: String, validitySeconds: Int)
        throws(RTCError)
    {
        // A positive 127-bit serial: RFC 5280 §4.1.2.2 wants it unique and at most 20 bytes.
        var serial = try randomBytes(count: 16)
        serial[0] &= 0x7F
        guard let serialNumber = BN_bin2bn(serial, Int32(serial.count), nil) else {
            throw RTCError(.crypto, "BN_bin2bn failed")
        }
        defer { BN_free(serialNumber) }
        let subject = X509_get_subject_name(x509)
        let commonNameBytes = Array(commonName.utf8)
        guard X509_set_version(x509, 2) == 1,  // 2 means X.509 v3
            BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(x509)) != nil,
            X509_gmtime_adj(X509_getm_notBefore(x509), -24 * 3600) != nil,
            X509_gmtime_adj(X509_getm_notAfter(x509), validitySeconds) != nil,
            X509_set_pubkey(x509, key) == 1,
            X509_NAME_add_entry_by_txt(
                subject, "CN", MBSTRING_ASC, commonNameBytes, Int32(commonNameBytes.count), -1, 0) == 1,
            X509_set_issuer_name(x509, subject) == 1,
            X509_sign(x509, key, EVP_sha256()) > 0
        else {
            throw RTCError(.crypto, "building the self-signed certificate failed: \(OpenSSLErrorQueue.drain())")
        }
    }

    private static func der(of x509: OpaquePointer) throws(RTCError) -> [UInt8] {
        let length = i2d_X509(x509, nil)
        guard length > 0 else { throw RTCError(.crypto, "i2d_X509 failed") }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_X509(x509, &cursor)
        }
        guard written == length else { throw RTCError(.crypto, "i2d_X509 wrote \(written) of \(length) bytes") }
        return bytes
    }

    static func randomBytes(count: Int) throws(RTCError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw RTCError(.crypto, "RAND_bytes failed") }
        return bytes
    }

    private static func randomHex(byteCount: Int) throws(RTCError) -> String {
        try randomBytes(count: byteCount).map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
    }
}
