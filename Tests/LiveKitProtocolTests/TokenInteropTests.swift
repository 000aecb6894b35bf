import Foundation
import LiveKitProtocol
import TestSupport
import Testing

/// Steadfast tokens ⇄ the official `livekit-api` (PyPI 1.2.2): AccessToken and TokenVerifier.
@Suite("AccessToken interop with livekit-api (Python)", .timeLimit(.minutes(10)))
struct TokenInteropTests {
    typealias F = TokenFixtures
    static let helper = "Tests/LiveKitProtocolTests/python/token_interop.py"

    /// What the Python TokenVerifier returned, in the helper's JSON.
    struct PythonClaims: Decodable {
        let identity: String
        let name: String
        let kind: String
        let metadata: String
        let attributes: [String: String]
        let sha256: String
        let video: [String: JSONAny]?
        let room_config: [String: JSONAny]?
    }

    @Test func livekitAPIVerifiesSteadfastTokensWithEqualClaims() async throws {
        let token = AccessTokenTests.richToken()
        let output = try await InteropPython.run(script: Self.helper, ["verify", F.apiKey, F.apiSecret], input: try token.jwt())
        let claims = try JSONDecoder().decode(PythonClaims.self, from: Data(output.utf8))
        #expect(claims.identity == "agent-7")
        #expect(claims.name == "Assistant")
        #expect(claims.kind == "agent")
        #expect(claims.metadata == #"{"voice":"en"}"#)
        #expect(claims.attributes == token.grants.attributes)
        #expect(claims.sha256 == "abc123")
        let video = try #require(claims.video)
        #expect(video["room"] == .string("demo"))
        #expect(video["room_join"] == .bool(true))
        #expect(video["agent"] == .bool(true))
        #expect(video["hidden"] == .bool(true))
        #expect(video["can_update_own_metadata"] == .bool(true))
        #expect(video["can_publish_sources"] == .array([.string("microphone")]))
        #expect(video["can_publish"] == .bool(true), "unset canPublish reads as the default, true")
        let agents = try #require(claims.room_config?["agents"])
        #expect(agents == .array([.object(["agentName": .string("assistant"), "metadata": .string(#"{"greeting":true}"#)])]))
        #expect(claims.room_config?["emptyTimeout"] == .number(120))
    }

    @Test func livekitAPIRejectsASteadfastTokenSignedWithAnotherSecret() async throws {
        let token = AccessTokenTests.richToken()
        let result = try await Subprocess.run(
            try InteropPython.interpreter(),
            [InteropPython.packageRoot.appendingPathComponent(Self.helper).path, "verify", F.apiKey, "not-the-secret"],
            input: try token.jwt())
        #expect(result.status == 3, "the Python verifier must refuse; it said: \(result.stdout)")
        #expect(result.stderr.contains("Signature"))
    }

    @Test func steadfastVerifiesTokensMintedByLivekitAPI() async throws {
        let spec = """
            {"identity": "caller-1", "name": "Caller", "kind": "standard", "metadata": "m",
             "attributes": {"lang": "fr"}, "ttl_seconds": 900, "sha256": "feed",
             "video": {"room_join": true, "room": "demo", "can_publish": true, "can_subscribe": true,
                       "can_publish_data": false, "can_update_own_metadata": true, "room_admin": true,
                       "can_publish_sources": ["microphone", "camera"]},
             "sip": {"admin": false, "call": true},
             "room_config": {"name": "demo", "agents": [{"agentName": "assistant", "metadata": "x"}]}}
            """
        let jwt = try await InteropPython.run(script: Self.helper, ["mint", F.apiKey, F.apiSecret], input: spec)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let verified = try F.verifier.verify(jwt)
        let grants = verified.grants
        #expect(verified.apiKey == F.apiKey)
        #expect(abs(verified.expiresAt.timeIntervalSinceNow - 900) < 30)
        #expect(grants.identity == "caller-1")
        #expect(grants.name == "Caller")
        #expect(grants.kind == .standard)
        #expect(grants.metadata == "m")
        #expect(grants.attributes == ["lang": "fr"])
        #expect(grants.sha256 == "feed")
        let video = try #require(grants.video)
        #expect(video.roomJoin && video.room == "demo" && video.roomAdmin)
        #expect(video.canPublish == true && video.canSubscribe == true && video.canPublishData == false)
        #expect(video.canUpdateOwnMetadata == true)
        #expect(video.canPublishSources == ["microphone", "camera"])
        #expect(grants.sip == SIPGrant(admin: false, call: true))
        #expect(grants.roomConfig?.name == "demo")
        #expect(grants.roomConfig?.agents.map(\.agentName) == ["assistant"])
    }

    @Test func steadfastRefusesAnExpiredLivekitAPIToken() async throws {
        let spec = #"{"identity": "late", "ttl_seconds": -120, "video": {"room_join": true, "room": "r"}}"#
        let jwt = try await InteropPython.run(script: Self.helper, ["mint", F.apiKey, F.apiSecret], input: spec)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(AccessTokenTests.code { try F.verifier.verify(jwt) } == .expired)
        let other = TokenVerifier(keys: [F.apiKey: "different"])
        let fresh = try await InteropPython.run(
            script: Self.helper, ["mint", F.apiKey, F.apiSecret],
            input: #"{"identity": "x", "video": {"room_join": true, "room": "r"}}"#)
        #expect(AccessTokenTests.code { try other.verify(fresh.trimmingCharacters(in: .whitespacesAndNewlines)) } == .badSignature)
    }
}

/// Minimal JSON value for reading the helper's output.
enum JSONAny: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONAny]), object([String: JSONAny])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Double.self) { self = .number(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONAny].self) { self = .array(v) }
        else { self = .object(try c.decode([String: JSONAny].self)) }
    }
}
