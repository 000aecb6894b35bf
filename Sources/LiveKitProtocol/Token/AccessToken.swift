import Foundation
import OpenSSLCrypto

/// Mints LiveKit access tokens: JWTs signed HS256 with an API secret.
///
/// ```swift
/// var token = AccessToken(apiKey: key, apiSecret: secret, identity: "caller-1")
/// token.grants.video = .join(room: "demo")
/// let jwt = try token.jwt()
/// ```
public struct AccessToken: Sendable {
    /// LiveKit's default lifetime when none is chosen.
    public static let defaultTimeToLive: Duration = .seconds(6 * 3600)

    public var apiKey: String
    public var apiSecret: String
    public var timeToLive: Duration
    public var grants: ClaimGrants

    public init(apiKey: String, apiSecret: String, identity: String = "", timeToLive: Duration = defaultTimeToLive) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.timeToLive = timeToLive
        grants = ClaimGrants()
        grants.identity = identity
    }

    /// The signed compact JWT, valid from `now` (nbf) until `now + timeToLive` (exp).
    public func jwt(now: Date = Date()) throws(TokenError) -> String {
        guard !apiKey.isEmpty, !apiSecret.isEmpty else {
            throw TokenError(.invalidGrants, "an API key and secret are required to sign a token")
        }
        if let video = grants.video, video.roomJoin, grants.identity.isEmpty || video.room.isEmpty {
            throw TokenError(.invalidGrants, "a token that joins a room needs both an identity and a room name")
        }
        guard timeToLive > .zero else { throw TokenError(.invalidGrants, "the time to live must be positive") }
        let issued = now.timeIntervalSince1970.rounded(.down)
        let payload = TokenPayload(
            issuer: apiKey, subject: grants.identity, notBefore: issued,
            expiresAt: issued + Double(timeToLive.components.seconds), grants: grants)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body: Data
        do { body = try encoder.encode(payload) } catch {
            throw TokenError(.invalidGrants, "claims could not be encoded: \(error)")
        }
        let signingInput = JWT.header + "." + Base64URL.encode(body)
        return signingInput + "." + Base64URL.encode(try JWT.signature(signingInput, secret: apiSecret))
    }
}

/// The JOSE pieces shared by minting and verification.
enum JWT {
    static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    static func signature(_ signingInput: String, secret: String) throws(TokenError) -> [UInt8] {
        do {
            return try HMAC.authenticate(Array(signingInput.utf8), key: Array(secret.utf8), digest: .sha256)
        } catch {
            throw TokenError(.badSignature, "signing failed: \(error)")
        }
    }
}

extension VideoGrant {
    /// A grant to join `room` with LiveKit's default publish/subscribe permissions.
    public static func join(room: String) -> VideoGrant {
        var grant = VideoGrant()
        grant.roomJoin = true
        grant.room = room
        return grant
    }
}
