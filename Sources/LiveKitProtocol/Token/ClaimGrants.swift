import Foundation
import SwiftProtobuf

/// LiveKit's custom JWT claims, carried at the top level of the payload next to `iss`/`sub`.
///
/// `identity` travels as `sub`. `roomConfig` is a protobuf message in protojson form; its
/// `agents` list dispatches named agents when the room is created by this participant.
public struct ClaimGrants: Equatable, Sendable {
    public var identity = ""
    public var name = ""
    public var kind: ParticipantKind?
    public var metadata = ""
    public var attributes: [String: String] = [:]
    /// Hex SHA-256 of a request body (webhooks sign their payload this way).
    public var sha256 = ""
    public var roomPreset = ""
    public var roomConfig: Livekit_RoomConfiguration?
    public var video: VideoGrant?
    public var sip: SIPGrant?

    public init() {}

    /// The video grant with LiveKit's defaults when the token carries none.
    public var effectiveVideo: VideoGrant { video ?? VideoGrant() }

    /// The server treats a participant as an agent when either marker is present.
    public var isAgent: Bool { kind == .agent || video?.agent == true }
}

/// The JSON payload: registered claims plus `ClaimGrants`. Kept internal; `AccessToken` and
/// `TokenVerifier` are the public faces.
struct TokenPayload: Codable {
    var issuer: String?
    var subject: String?
    var tokenID: String?
    var notBefore: Double?
    var expiresAt: Double?
    var issuedAt: Double?
    var grants = ClaimGrants()

    init(issuer: String, subject: String, notBefore: Double, expiresAt: Double, grants: ClaimGrants) {
        self.issuer = issuer
        self.subject = subject
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.grants = grants
    }

    enum CodingKeys: String, CodingKey {
        case issuer = "iss", subject = "sub", tokenID = "jti", notBefore = "nbf", expiresAt = "exp", issuedAt = "iat"
        case name, kind, metadata, attributes, sha256, roomPreset, roomConfig, video, sip
    }

    init(from decoder: any Swift.Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        issuer = try c.decodeIfPresent(String.self, forKey: .issuer)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        tokenID = try c.decodeIfPresent(String.self, forKey: .tokenID)
        notBefore = try Self.numericDate(c, .notBefore)
        expiresAt = try Self.numericDate(c, .expiresAt)
        issuedAt = try Self.numericDate(c, .issuedAt)
        // LiveKit takes the identity from `sub`, falling back to `jti` for very old tokens.
        grants.identity = subject.flatMap { $0.isEmpty ? nil : $0 } ?? tokenID ?? ""
        grants.name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        grants.kind = try c.decodeIfPresent(ParticipantKind.self, forKey: .kind).flatMap { $0.rawValue.isEmpty ? nil : $0 }
        grants.metadata = try c.decodeIfPresent(String.self, forKey: .metadata) ?? ""
        grants.attributes = try c.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
        grants.sha256 = try c.decodeIfPresent(String.self, forKey: .sha256) ?? ""
        grants.roomPreset = try c.decodeIfPresent(String.self, forKey: .roomPreset) ?? ""
        grants.video = try c.decodeIfPresent(VideoGrant.self, forKey: .video)
        grants.sip = try c.decodeIfPresent(SIPGrant.self, forKey: .sip)
        if let raw = try c.decodeIfPresent(JSONValue.self, forKey: .roomConfig), raw != .null {
            let json = String(decoding: try JSONEncoder().encode(raw), as: UTF8.self)
            do {
                var options = JSONDecodingOptions()
                options.ignoreUnknownFields = true
                grants.roomConfig = try Livekit_RoomConfiguration(jsonString: json, options: options)
            } catch {
                throw DecodingError.dataCorruptedError(
                    forKey: .roomConfig, in: c, debugDescription: "roomConfig is not a valid RoomConfiguration: \(error)")
            }
        }
    }

    /// The range a NumericDate claim (RFC 7519 §2) may take here: the Unix epoch to the end of the
    /// year 9999. A signed token can carry any JSON number (`1e300`, `-1e300`, `2^63`); refusing
    /// those where they enter keeps every later conversion to whole seconds in range.
    static let numericDateRange: ClosedRange<Double> = 0...253_402_300_799

    private static func numericDate(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Double? {
        guard let value = try c.decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard value.isFinite, numericDateRange.contains(value) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c,
                debugDescription: "\(key.rawValue) must be seconds since 1970 between 0 and 253402300799 (year 9999); got \(value)")
        }
        return value
    }

    /// Whole seconds for encoding; nil (claim left out) for a value no decoded token can hold.
    private static func wholeSeconds(_ value: Double) -> Int64? {
        numericDateRange.contains(value) ? Int64(value.rounded(.down)) : nil
    }

    func encode(to encoder: any Swift.Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(issuer, forKey: .issuer)
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encodeIfPresent(tokenID, forKey: .tokenID)
        try c.encodeIfPresent(notBefore.flatMap(Self.wholeSeconds), forKey: .notBefore)
        try c.encodeIfPresent(expiresAt.flatMap(Self.wholeSeconds), forKey: .expiresAt)
        try c.encodeIfPresent(issuedAt.flatMap(Self.wholeSeconds), forKey: .issuedAt)
        // Empty values are left out to keep tokens small, as LiveKit's own minters do.
        if !grants.name.isEmpty { try c.encode(grants.name, forKey: .name) }
        try c.encodeIfPresent(grants.kind, forKey: .kind)
        if !grants.metadata.isEmpty { try c.encode(grants.metadata, forKey: .metadata) }
        if !grants.attributes.isEmpty { try c.encode(grants.attributes, forKey: .attributes) }
        if !grants.sha256.isEmpty { try c.encode(grants.sha256, forKey: .sha256) }
        if !grants.roomPreset.isEmpty { try c.encode(grants.roomPreset, forKey: .roomPreset) }
        try c.encodeIfPresent(grants.video, forKey: .video)
        try c.encodeIfPresent(grants.sip, forKey: .sip)
        if let roomConfig = grants.roomConfig {
            let json = try roomConfig.jsonUTF8Data()
            try c.encode(try JSONDecoder().decode(JSONValue.self, from: json), forKey: .roomConfig)
        }
    }
}
