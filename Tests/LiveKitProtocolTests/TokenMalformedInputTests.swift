import Foundation
import LiveKitProtocol
import TestSupport
import Testing

/// Hostile and broken tokens: each gets a typed error, none traps.
@Suite("AccessToken malformed input")
struct TokenMalformedInputTests {
    typealias F = TokenFixtures

    @Test(arguments: [
        ("", TokenError.Code.malformed),
        ("abc", .malformed),
        ("a.b", .malformed),
        ("a.b.c.d", .malformed),
        ("....", .malformed),
        ("!!!.e30.sig", .malformed),                                  // bad base64 in the header
        ("eyJhbGciOiJIUzI1NiJ9.e30=.sig", .malformed),                // padding is not base64url
        ("bm90IGpzb24.e30.sig", .malformed),                          // header "not json"
        ("WzFd.e30.sig", .malformed),                                 // header is a JSON array
        ("eyJ0eXAiOiJKV1QifQ.e30.sig", .unsupportedAlgorithm),        // header without alg
        ("eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.sig", .malformed),         // payload "not json"
        ("eyJhbGciOiJIUzI1NiJ9.e30.sig", .unknownIssuer),             // payload {}
    ])
    func malformedTokensGetTypedErrors(token: String, expected: TokenError.Code) {
        #expect(AccessTokenTests.code { try F.verifier.verify(token, now: F.now) } == expected)
    }

    @Test func signatureSegmentWithBadBase64IsMalformed() {
        let good = F.jwt(payload: F.payload())
        let broken = good.dropLast(3) + "*=*"
        #expect(AccessTokenTests.code { try F.verifier.verify(String(broken), now: F.now) } == .malformed)
    }

    @Test func oversizedTokenIsRefusedBeforeParsing() {
        let huge = F.jwt(payload: F.payload(extra: #""metadata":"\#(String(repeating: "x", count: 17_000))""#))
        #expect(AccessTokenTests.code { try F.verifier.verify(huge, now: F.now) } == .tooLarge)
    }

    @Test(arguments: [
        #""video":{"roomJoin":"yes"}"#,
        #""video":[]"#,
        #""attributes":{"a":1}"#,
        #""exp":"tomorrow""#,
        #""roomConfig":{"emptyTimeout":"soon"}"#,
        #""kind":7"#,
    ])
    func wellSignedClaimsOfTheWrongShapeAreInvalid(extra: String) {
        let replacesExpiry = extra.hasPrefix(#""exp""#)
        let token = F.jwt(payload: F.payload(exp: replacesExpiry ? nil : 3600, extra: extra))
        #expect(AccessTokenTests.code { try F.verifier.verify(token, now: F.now) } == .invalidClaims)
    }

    /// Random byte flips, truncations and insertions over a valid token: every outcome is either
    /// success (a flip that cancels out cannot happen with HMAC, so effectively never) or a TokenError.
    @Test func randomMutationsNeverTrap() throws {
        let valid = try AccessTokenTests.richToken().jwt(now: F.now)
        var generator = SplitMix64(seed: 0x5EED)
        let alphabet = Array("ABCxyz019-_.=+/ {}\"\\\u{0}é".unicodeScalars)
        var refused = 0
        for _ in 0..<1_000 {
            var scalars = Array(valid.unicodeScalars)
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let index = Int(generator.next() % UInt64(scalars.count))
                switch generator.next() % 3 {
                case 0: scalars[index] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: scalars.removeSubrange(index...)
                default: scalars.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: index)
                }
                if scalars.isEmpty { scalars = ["."] }
            }
            var mutated = String.UnicodeScalarView()
            mutated.append(contentsOf: scalars)
            if AccessTokenTests.code({ try F.verifier.verify(String(mutated), now: F.now) }) != nil { refused += 1 }
        }
        #expect(refused >= 995, "almost every mutation must be refused; \(refused) were")
    }
}
