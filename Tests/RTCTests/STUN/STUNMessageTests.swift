@testable import RTC
import TestSupport
import Testing

@Suite("STUN message codec")
struct STUNMessageTests {
    @Test func parsesRFC5769Request() throws {
        let message = try STUNMessage(parsing: STUNVectors.request)
        #expect(message.messageClass == .request)
        #expect(message.method == STUNMessage.bindingMethod)
        #expect(message.transactionID.bytes == STUNVectors.transactionID)
        #expect(message.username == "evtj:h6vY")
        #expect(message.priority == 0x6E00_01FF)
        #expect(message.iceControlled == 0x932F_F9B1_5126_3B36)
        #expect(message.iceControlling == nil)
        #expect(message.attributes.contains(.software("STUN test client")))
        #expect(message.hasValidIntegrity(key: STUNVectors.password))
        #expect(message.hasValidFingerprint)
        #expect(STUNMessage.isSTUN(STUNVectors.request))
    }

    @Test(arguments: [
        (STUNVectors.ipv4Response, "192.0.2.1:32853"),
        (STUNVectors.ipv6Response, "[2001:db8:1234:5678:11:2233:4455:6677]:32853"),
    ])
    func parsesRFC5769Responses(bytes: [UInt8], mapped: String) throws {
        let message = try STUNMessage(parsing: bytes)
        #expect(message.messageClass == .successResponse)
        #expect(message.xorMappedAddress?.description == mapped)
        #expect(message.attributes.contains(.software("test vector")))
        #expect(message.hasValidIntegrity(key: STUNVectors.password))
        #expect(message.hasValidFingerprint)
    }

    /// Re-encoding the decoded vectors must give the RFC bytes again, except the padding: the RFC
    /// pads with spaces, we pad with zeros, and both are legal (RFC 8489 §14).
    @Test(arguments: [STUNVectors.ipv4Response, STUNVectors.ipv6Response])
    func reencodesResponsesByteForByte(bytes: [UInt8]) throws {
        let message = try STUNMessage(parsing: bytes)
        var expected = bytes
        expected[35] = 0  // the SOFTWARE attribute's one padding byte ("test vector" + 0x20)
        let full = try message.encoded(integrityKey: STUNVectors.password, fingerprint: true)
        // The RFC MI was computed over a space-padded SOFTWARE, so compare everything before MI exactly...
        #expect(full.count == expected.count)
        #expect(Array(full.prefix(expected.count - 32)) == Array(expected.prefix(expected.count - 32)))
        // ...and check that our own output verifies.
        let reparsed = try STUNMessage(parsing: full)
        #expect(reparsed.hasValidIntegrity(key: STUNVectors.password))
        #expect(reparsed.hasValidFingerprint)
        #expect(reparsed.xorMappedAddress == message.xorMappedAddress)
    }

    @Test func roundTripsEveryAttribute() throws {
        let v4 = try #require(TransportAddress(host: "10.1.2.3", port: 5000))
        let v6 = try #require(TransportAddress(host: "2001:db8::7", port: 6000))
        let attributes: [STUNAttribute] = [
            .mappedAddress(v4), .xorMappedAddress(v6), .xorMappedAddress(v4), .username("abcd:efgh"),
            .priority(1_853_824_767), .useCandidate, .iceControlling(0x0102_0304_0506_0708),
            .iceControlled(.max), .errorCode(code: 487, reason: "Role Conflict"), .software("steadfast"),
            .unknown(type: 0x7F31, value: [1, 2, 3]),
        ]
        let message = STUNMessage(messageClass: .errorResponse, attributes: attributes)
        let key = Array("secret".utf8)
        let bytes = try message.encoded(integrityKey: key, fingerprint: true)
        let parsed = try STUNMessage(parsing: bytes)
        #expect(parsed.attributes == attributes)
        #expect(parsed.messageClass == .errorResponse)
        #expect(parsed.transactionID == message.transactionID)
        #expect(parsed.errorCode?.code == 487)
        #expect(parsed.hasValidIntegrity(key: key))
        #expect(!parsed.hasValidIntegrity(key: Array("other".utf8)))
        #expect(parsed.hasValidFingerprint)
    }

    @Test func messageClassesMapToTheRFCTypeCodes() throws {
        let classes: [(STUNMessage.MessageClass, [UInt8])] = [
            (.request, [0x00, 0x01]), (.indication, [0x00, 0x11]),
            (.successResponse, [0x01, 0x01]), (.errorResponse, [0x01, 0x11]),
        ]
        for (messageClass, typeBytes) in classes {
            let bytes = try STUNMessage(messageClass: messageClass).encoded()
            #expect(Array(bytes.prefix(2)) == typeBytes)
            #expect(try STUNMessage(parsing: bytes).messageClass == messageClass)
        }
    }

    @Test func tamperedBytesFailIntegrityAndFingerprint() throws {
        var tampered = STUNVectors.request
        tampered[53] ^= 0x01  // inside ICE-CONTROLLED's value (bytes 52..<60)
        let message = try STUNMessage(parsing: tampered)
        #expect(!message.hasValidIntegrity(key: STUNVectors.password))
        #expect(!message.hasValidFingerprint)

        let good = try STUNMessage(parsing: STUNVectors.request)
        #expect(!good.hasValidIntegrity(key: Array("wrong password".utf8)))

        var badFingerprint = STUNVectors.request
        badFingerprint[badFingerprint.count - 1] ^= 0xFF
        let fingerprintOnly = try STUNMessage(parsing: badFingerprint)
        #expect(fingerprintOnly.hasValidIntegrity(key: STUNVectors.password))
        #expect(!fingerprintOnly.hasValidFingerprint)

        let unsigned = try STUNMessage(parsing: try STUNMessage(messageClass: .request).encoded())
        #expect(!unsigned.hasIntegrity && !unsigned.hasValidIntegrity(key: STUNVectors.password))
        #expect(!unsigned.hasFingerprint && !unsigned.hasValidFingerprint)
    }

    /// RFC 8489 §14.5/§14.7: attributes after MESSAGE-INTEGRITY (except FINGERPRINT) and after
    /// FINGERPRINT are ignored, so an on-path attacker cannot append unauthenticated data.
    @Test func attributesAfterIntegrityAreIgnored() throws {
        let key = Array("pw".utf8)
        var bytes = try STUNMessage(messageClass: .request, attributes: [.username("a:b")]).encoded(integrityKey: key)
        bytes += [0x00, 0x25, 0x00, 0x00]  // USE-CANDIDATE appended after MI
        bytes[3] += 4
        let message = try STUNMessage(parsing: bytes)
        #expect(!message.useCandidate)
        #expect(message.username == "a:b")
        #expect(message.hasValidIntegrity(key: key))
    }

    @Test func rejectsMalformedHeaders() {
        var noCookie = STUNVectors.request
        noCookie[4] = 0
        #expect(!STUNMessage.isSTUN(noCookie))
        #expect(throws: RTCError.self) { try STUNMessage(parsing: noCookie) }
        var badLength = STUNVectors.request
        badLength[3] = 0x54
        #expect(throws: RTCError.self) { try STUNMessage(parsing: badLength) }
        #expect(throws: RTCError.self) { try STUNMessage(parsing: Array(STUNVectors.request.prefix(19))) }
        #expect(!STUNMessage.isSTUN([0x16, 0xFE, 0xFD] + [UInt8](repeating: 0, count: 30)))  // DTLS
        #expect(!STUNMessage.isSTUN([0x80, 0x6F] + [UInt8](repeating: 0, count: 30)))  // RTP
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    /// Truncations, bit flips and pure noise: every input must either parse or throw, never trap.
    @Test func randomAndTruncatedInputNeverTraps() throws {
        var generator = SplitMix64(seed: 0x5354_554E)
        let seeds = [STUNVectors.request, STUNVectors.ipv4Response, STUNVectors.ipv6Response]
        var rejected = 0
        for seed in seeds {
            for length in 0..<seed.count {
                if (try? STUNMessage(parsing: Array(seed.prefix(length)))) == nil { rejected += 1 }
            }
        }
        #expect(rejected == seeds.reduce(0) { $0 + $1.count })  // every strict prefix is invalid
        for round in 0..<3000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            if round % 3 == 0 {
                let length = Int.random(in: 0...120, using: &generator)
                bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if bytes.count >= 8 { bytes[4...7] = [0x21, 0x12, 0xA4, 0x42] }
            }
            if let message = try? STUNMessage(parsing: bytes) {
                _ = message.hasValidIntegrity(key: STUNVectors.password)
                _ = message.hasValidFingerprint
                _ = try message.encoded(integrityKey: [1], fingerprint: true)
            }
        }
    }
}
