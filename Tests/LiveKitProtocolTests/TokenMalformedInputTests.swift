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

    /// A correctly signed token can carry any JSON number as a time claim; each out-of-range one is
    /// refused as invalid claims (it trapped converting to whole seconds before), and the message names
    /// the claim and the range.
    @Test(arguments: [
        (#""exp":1e300"#, "exp"),
        (#""exp":9223372036854775808"#, "exp"),
        (#""exp":-1"#, "exp"),
        (#""nbf":-1e300"#, "nbf"),
        (#""iat":1e300"#, "iat"),
        (#""nbf":1.8e19"#, "nbf"),
    ])
    func timeClaimsOutOfRangeAreRefusedNotTrapped(extra: String, claim: String) {
        let replaces = extra.hasPrefix(#""exp""#) ? (exp: nil as Int?, nbf: 0 as Int?) : extra.hasPrefix(#""nbf""#)
            ? (exp: 3600, nbf: nil) : (exp: 3600, nbf: 0)
        let token = F.jwt(payload: F.payload(exp: replaces.exp, nbf: replaces.nbf, extra: extra))
        do {
            _ = try F.verifier.verify(token, now: F.now).payloadJSON()
            Issue.record("\(extra) was accepted")
        } catch {
            #expect(error.code == .invalidClaims)
            #expect(error.message.contains(claim) && error.message.contains("253402300799"), "\(error.message)")
        }
    }

    /// The far end of the accepted range still verifies and prints (year 9999).
    @Test func latestRepresentableExpiryIsAccepted() throws {
        let token = F.jwt(payload: F.payload(exp: nil, extra: #""exp":253402300799"#))
        let json = try F.verifier.verify(token, now: F.now).payloadJSON()
        #expect(json.contains("253402300799"))
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
