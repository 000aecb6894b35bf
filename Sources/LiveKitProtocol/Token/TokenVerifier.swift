import Foundation
import OpenSSLCrypto

/// A token whose signature and time window checked out.
public struct VerifiedToken: Sendable, Equatable {
    /// The API key that signed it (`iss`).
    public let apiKey: String
    public let notBefore: Date?
    public let expiresAt: Date
    public let issuedAt: Date?
    public let grants: ClaimGrants
}

/// Verifies LiveKit access tokens the way the LiveKit server does: HS256 only, signature first,
/// `exp` required, 60 s of leeway for clock skew, and `iss` must name a known API key.
///
/// Every failure is a `TokenError`; no input, however malformed, traps.
public struct TokenVerifier: Sendable {
    /// Tokens longer than this are refused before any parsing (LiveKit's are well under 4 KiB).
    public static let maximumTokenLength = 16 * 1024
    public static let defaultLeeway: Duration = .seconds(60)

    private let secrets: [String: String]
    public let leeway: Duration

    /// - Parameter keys: API key → API secret.
    public init(keys: [String: String], leeway: Duration = defaultLeeway) {
        secrets = keys
        self.leeway = leeway
    }

    public func verify(_ token: String, now: Date = Date()) throws(TokenError) -> VerifiedToken {
        guard token.utf8.count <= Self.maximumTokenLength else {
            throw TokenError(.tooLarge, "token is \(token.utf8.count) bytes; the limit is \(Self.maximumTokenLength)")
        }
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3 else {
            throw TokenError(.malformed, "a JWT has 3 dot-separated segments; this has \(segments.count)")
        }
        let header = try decodeObject(segments[0], what: "header")
        guard case .string(let algorithm)? = header["alg"] else {
            throw TokenError(.unsupportedAlgorithm, "the header names no alg; only HS256 is accepted")
        }
        guard algorithm == "HS256" else {
            throw TokenError(.unsupportedAlgorithm, "alg \(algorithm) is not accepted; only HS256 is")
        }
        let payloadBytes = try decodeSegment(segments[1], what: "payload")
        guard case .string(let issuer)? = try decodeObject(payloadBytes, what: "payload")["iss"], !issuer.isEmpty else {
            throw TokenError(.unknownIssuer, "the token has no iss (API key) claim")
        }
        guard let secret = secrets[issuer] else {
            throw TokenError(.unknownIssuer, "API key \(issuer) is not known to this server")
        }
        guard let signature = Base64URL.decode(segments[2]) else {
            throw TokenError(.malformed, "the signature segment is not base64url")
        }
        let expected = try JWT.signature(String(segments[0]) + "." + String(segments[1]), secret: secret)
        guard SecureBytes.constantTimeEquals(signature, expected) else {
            throw TokenError(.badSignature, "the signature does not match API key \(issuer)")
        }

        let payload: TokenPayload
        do { payload = try JSONDecoder().decode(TokenPayload.self, from: Data(payloadBytes)) } catch {
            throw TokenError(.invalidClaims, "claims have the wrong shape: \(Self.describe(error))")
        }
        guard let expiresAt = payload.expiresAt, expiresAt.isFinite else {
            throw TokenError(.missingExpiry, "the token has no exp claim; LiveKit requires one")
        }
        let skew = Double(leeway.components.seconds)
        let nowSeconds = now.timeIntervalSince1970
        guard nowSeconds <= expiresAt + skew else {
            throw TokenError(.expired, "the token expired at \(Self.format(expiresAt))")
        }
        if let notBefore = payload.notBefore, nowSeconds < notBefore - skew {
            throw TokenError(.notYetValid, "the token is not valid before \(Self.format(notBefore))")
        }
        return VerifiedToken(
            apiKey: issuer,
            notBefore: payload.notBefore.map(Date.init(timeIntervalSince1970:)),
            expiresAt: Date(timeIntervalSince1970: expiresAt),
            issuedAt: payload.issuedAt.map(Date.init(timeIntervalSince1970:)),
            grants: payload.grants)
    }

    private func decodeSegment(_ segment: Substring, what: String) throws(TokenError) -> [UInt8] {
        guard let bytes = Base64URL.decode(segment) else {
            throw TokenError(.malformed, "the \(what) segment is not base64url")
        }
        return bytes
    }

    private func decodeObject(_ segment: Substring, what: String) throws(TokenError) -> [String: JSONValue] {
        try decodeObject(try decodeSegment(segment, what: what), what: what)
    }

    private func decodeObject(_ bytes: [UInt8], what: String) throws(TokenError) -> [String: JSONValue] {
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes)) else {
            throw TokenError(.malformed, "the \(what) is not a JSON object")
        }
        return object
    }

    private static func format(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds).ISO8601Format()
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context),
             .keyNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        default:
            return String(describing: error)
        }
    }
}

extension VerifiedToken {
    /// The verified claims as a JWT payload JSON object (for `steadfast token verify` and logs).
    /// Contains no signature and no secret.
    public func payloadJSON(prettyPrinted: Bool = true) -> String {
        let payload = TokenPayload(
            issuer: apiKey, subject: grants.identity,
            notBefore: notBefore?.timeIntervalSince1970 ?? 0, expiresAt: expiresAt.timeIntervalSince1970, grants: grants)
        let encoder = JSONEncoder()
        encoder.outputFormatting = prettyPrinted ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys]
        return (try? encoder.encode(payload)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
