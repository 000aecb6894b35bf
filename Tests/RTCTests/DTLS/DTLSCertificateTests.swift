import OpenSSLCrypto
import RTC
import Testing

@Suite("DTLSCertificate and DTLSFingerprint")
struct DTLSCertificateTests {
    @Test func generatedCertificateHasSHA256FingerprintOfItsDER() throws {
        let certificate = try DTLSCertificate()
        let fingerprint = certificate.fingerprint
        #expect(fingerprint.algorithm == .sha256)
        #expect(fingerprint.digest == SHA256.hash(certificate.derEncoded))
        #expect(try DTLSFingerprint(hashingCertificateDER: certificate.derEncoded) == fingerprint)
        // "sha-256 " + 32 pairs of upper-case hex joined by 31 colons.
        #expect(fingerprint.sdpValue.count == 8 + 32 * 2 + 31)
        #expect(fingerprint.sdpValue.hasPrefix("sha-256 "))
        #expect(fingerprint.hexDigest == fingerprint.hexDigest.uppercased())
        #expect(fingerprint.hexDigest.split(separator: ":").count == 32)
    }

    @Test func eachCertificateIsFresh() throws {
        let first = try DTLSCertificate(), second = try DTLSCertificate()
        #expect(first.fingerprint != second.fingerprint)
        #expect(first.derEncoded.first == 0x30, "DER SEQUENCE")
    }

    @Test func parsesSDPValueCaseInsensitively() throws {
        let certificate = try DTLSCertificate(commonName: "steadfast-test")
        let upper = certificate.fingerprint.sdpValue
        let parsed = try DTLSFingerprint(sdpValue: upper)
        #expect(parsed == certificate.fingerprint)
        #expect(try DTLSFingerprint(sdpValue: "SHA-256 " + certificate.fingerprint.hexDigest.lowercased()) == parsed)
        #expect(try DTLSFingerprint(sdpValue: upper + "\r\n") == parsed, "a line ending left by the SDP splitter")
        let sha1 = try DTLSFingerprint(sdpValue: "sha-1 " + Array(repeating: "0A", count: 20).joined(separator: ":"))
        #expect(sha1.algorithm == .sha1)
        #expect(sha1.digest == [UInt8](repeating: 10, count: 20))
    }

    @Test(arguments: [
        "", "sha-256", "md5 AB:CD", "sha-256 AB:CD", "sha-256 " + Array(repeating: "ZZ", count: 32).joined(separator: ":"),
        "sha-256 " + Array(repeating: "ABC", count: 32).joined(separator: ":"),
        "sha-256 " + Array(repeating: "AB", count: 33).joined(separator: ":"),
        "sha-256 " + Array(repeating: "AB", count: 32).joined(separator: "::"), "sha-256 AB:CD extra",
    ])
    func rejectsMalformedSDPValues(_ value: String) {
        #expect(throws: RTCError.self) { try DTLSFingerprint(sdpValue: value) }
        do {
            _ = try DTLSFingerprint(sdpValue: value)
        } catch {
            #expect(error.code == .malformedSDP)
        }
    }
}
