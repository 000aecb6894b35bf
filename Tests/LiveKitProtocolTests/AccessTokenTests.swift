import Foundation
import LiveKitProtocol
import Testing

@Suite("AccessToken minting and verification")
struct AccessTokenTests {
    typealias F = TokenFixtures

    static func richToken() -> AccessToken {
        var token = AccessToken(apiKey: F.apiKey, apiSecret: F.apiSecret, identity: "agent-7", timeToLive: .seconds(600))
        token.grants.name = "Assistant"
        token.grants.kind = .agent
        token.grants.metadata = #"{"voice":"en"}"#
        token.grants.attributes = ["lk.agent.state": "initializing", "team": "ünïcode ✓"]
        token.grants.sha256 = "abc123"
        var video = VideoGrant.join(room: "demo")
        video.agent = true
        video.canUpdateOwnMetadata = true
        video.canPublishSources = ["microphone"]
        video.hidden = true
        token.grants.video = video
        token.grants.roomConfig = .with {
            $0.name = "demo"
            $0.emptyTimeout = 120
            $0.agents = [.with { $0.agentName = "assistant"; $0.metadata = #"{"greeting":true}"# }]
        }
        return token
    }

    @Test func mintedTokenVerifiesWithEqualClaims() throws {
        let token = Self.richToken()
        let verified = try F.verifier.verify(try token.jwt(now: F.now), now: F.now)
        #expect(verified.apiKey == F.apiKey)
        #expect(verified.grants == token.grants)
        #expect(verified.notBefore == F.now)
        #expect(verified.expiresAt == F.now.addingTimeInterval(600))
        #expect(verified.grants.isAgent)
        #expect(verified.grants.roomConfig?.agents.first?.agentName == "assistant")
    }

    @Test func headerIsExactlyHS256JWTAndSegmentsHaveNoPadding() throws {
        let jwt = try Self.richToken().jwt(now: F.now)
        let segments = jwt.split(separator: ".")
        #expect(segments.count == 3)
        #expect(!jwt.contains("=") && !jwt.contains("+") && !jwt.contains("/"))
        #expect(segments[0] == "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9")  // {"alg":"HS256","typ":"JWT"}
    }

    @Test func videoGrantDefaultsFollowLiveKit() {
        var grant = VideoGrant.join(room: "r")
        #expect(grant.effectiveCanPublish && grant.effectiveCanSubscribe && grant.effectiveCanPublishData)
        #expect(!grant.effectiveCanUpdateOwnMetadata, "clients may not edit their own metadata unless granted")
        grant.canPublish = false
        #expect(!grant.effectiveCanPublishData, "canPublishData follows canPublish when unset")
        #expect(!grant.canPublish(source: "microphone"))
        grant.canPublish = true
        grant.canPublishSources = ["camera"]
        #expect(!grant.canPublish(source: "microphone") && grant.canPublish(source: "camera"))
    }

    @Test func unsetGrantsAreLeftOutOfThePayload() throws {
        var token = AccessToken(apiKey: F.apiKey, apiSecret: F.apiSecret, identity: "bob")
        token.grants.video = .join(room: "r")
        let payload = String(try token.jwt(now: F.now).split(separator: ".")[1])
        let json = String(decoding: try #require(Data(base64Encoded: Self.padded(payload))), as: UTF8.self)
        #expect(json.contains(#""video":{"room":"r","roomJoin":true}"#))
        #expect(!json.contains("canPublish") && !json.contains("name") && !json.contains("roomConfig"))
    }

    @Test func joiningWithoutIdentityOrRoomIsRefused() {
        var token = AccessToken(apiKey: F.apiKey, apiSecret: F.apiSecret)
        token.grants.video = .join(room: "r")
        #expect(throws: TokenError.self) { try token.jwt() }
        #expect((try? AccessToken(apiKey: "", apiSecret: "x", identity: "a").jwt()) == nil)
    }

    // MARK: verification rules

    @Test(arguments: ["none", "HS384", "HS512", "RS256", "ES256", "hs256", ""])
    func onlyHS256IsAccepted(algorithm: String) {
        let token = F.jwt(header: #"{"alg":"\#(algorithm)","typ":"JWT"}"#, payload: F.payload())
        #expect(throws: TokenError(.unsupportedAlgorithm, "alg \(algorithm) is not accepted; only HS256 is")) {
            try F.verifier.verify(token, now: F.now)
        }
    }

    @Test func unsignedNoneTokenWithEmptySignatureIsRefused() {
        let token = F.base64url(Array(#"{"alg":"none"}"#.utf8)) + "." + F.base64url(Array(F.payload().utf8)) + "."
        #expect(Self.code { try F.verifier.verify(token, now: F.now) } == .unsupportedAlgorithm)
    }

    @Test func tamperedPayloadFailsTheSignature() throws {
        let good = try Self.richToken().jwt(now: F.now)
        var segments = good.split(separator: ".").map(String.init)
        let forged = String(decoding: Data(base64Encoded: Self.padded(segments[1]))!, as: UTF8.self)
            .replacingOccurrences(of: "\"hidden\":true", with: "\"roomAdmin\":true")
        segments[1] = F.base64url(Array(forged.utf8))
        #expect(Self.code { try F.verifier.verify(segments.joined(separator: "."), now: F.now) } == .badSignature)
    }

    @Test func wrongSecretFailsTheSignature() {
        let token = F.jwt(payload: F.payload(), secret: "another-secret")
        #expect(Self.code { try F.verifier.verify(token, now: F.now) } == .badSignature)
    }

    @Test func unknownOrMissingIssuerIsRefused() {
        let stranger = F.jwt(payload: #"{"iss":"APIstranger","sub":"a","exp":1800003600}"#)
        #expect(Self.code { try F.verifier.verify(stranger, now: F.now) } == .unknownIssuer)
        let anonymous = F.jwt(payload: #"{"sub":"a","exp":1800003600}"#)
        #expect(Self.code { try F.verifier.verify(anonymous, now: F.now) } == .unknownIssuer)
    }

    @Test func expiryIsRequired() {
        #expect(Self.code { try F.verifier.verify(F.jwt(payload: F.payload(exp: nil)), now: F.now) } == .missingExpiry)
    }

    @Test(arguments: [
        (expOffset: -59, nbfOffset: -3600, accepted: true),   // expired 59 s ago: inside the leeway
        (expOffset: -61, nbfOffset: -3600, accepted: false),  // expired 61 s ago
        (expOffset: 3600, nbfOffset: 59, accepted: true),     // valid in 59 s: clock skew tolerated
        (expOffset: 3600, nbfOffset: 61, accepted: false),    // valid in 61 s
    ])
    func sixtySecondsOfLeeway(expOffset: Int, nbfOffset: Int, accepted: Bool) {
        let token = F.jwt(payload: F.payload(exp: expOffset, nbf: nbfOffset))
        let code = Self.code { try F.verifier.verify(token, now: F.now) }
        if accepted { #expect(code == nil) } else { #expect(code == (expOffset < 0 ? .expired : .notYetValid)) }
    }

    @Test func identityFallsBackToJTIWhenSubIsEmpty() throws {
        let token = F.jwt(payload: #"{"iss":"\#(F.apiKey)","jti":"legacy-id","exp":1800003600}"#)
        #expect(try F.verifier.verify(token, now: F.now).grants.identity == "legacy-id")
    }

    @Test func unknownKindIsKeptButActsAsStandard() throws {
        let token = F.jwt(payload: F.payload(extra: #""kind":"robot""#))
        let grants = try F.verifier.verify(token, now: F.now).grants
        #expect(grants.kind?.rawValue == "robot")
        #expect(grants.kind?.effective == .standard)
    }

    /// The refusal code, or nil when the token was accepted. Any error but `TokenError` fails the test.
    static func code(_ body: () throws -> VerifiedToken) -> TokenError.Code? {
        do {
            _ = try body()
            return nil
        } catch let error as TokenError {
            return error.code
        } catch {
            Issue.record("verification threw an untyped error: \(error)")
            return nil
        }
    }

    static func padded(_ base64url: String) -> String {
        let s = base64url.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return s + String(repeating: "=", count: (4 - s.count % 4) % 4)
    }
}
