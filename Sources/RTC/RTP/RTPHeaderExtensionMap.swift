/// The negotiated `a=extmap` table: local ID ↔ extension URI (RFC 8285 §5).
///
/// IDs are chosen by the offerer and must be echoed, never assumed (pion/webrtc#1255, #2220), so every
/// typed accessor goes through this map. IDs of the extensions this stack understands are cached so
/// per-packet lookups do not hash strings.
public struct RTPHeaderExtensionMap: Sendable, Equatable {
    public static let midURI = "urn:ietf:params:rtp-hdrext:sdes:mid"
    public static let audioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
    public static let absoluteCaptureTimeURI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"

    public private(set) var uriByID: [UInt8: String] = [:]
    public private(set) var midID: UInt8?
    public private(set) var audioLevelID: UInt8?
    public private(set) var absoluteCaptureTimeID: UInt8?

    public init() {}

    /// Builds a map from `(id, uri)` pairs, e.g. from the SDP answer's `a=extmap` lines.
    public init(_ entries: [(id: UInt8, uri: String)]) {
        for entry in entries { register(id: entry.id, uri: entry.uri) }
    }

    /// Binds `id` to `uri`, replacing whatever `id` meant before.
    public mutating func register(id: UInt8, uri: String) {
        if let old = uriByID[id] { unbindCached(uri: old) }
        if let oldID = self.id(for: uri) { uriByID[oldID] = nil }
        uriByID[id] = uri
        switch uri {
        case Self.midURI: midID = id
        case Self.audioLevelURI: audioLevelID = id
        case Self.absoluteCaptureTimeURI: absoluteCaptureTimeID = id
        default: break
        }
    }

    public func uri(for id: UInt8) -> String? { uriByID[id] }

    public func id(for uri: String) -> UInt8? {
        uriByID.first { $0.value == uri }?.key
    }

    private mutating func unbindCached(uri: String) {
        switch uri {
        case Self.midURI: midID = nil
        case Self.audioLevelURI: audioLevelID = nil
        case Self.absoluteCaptureTimeURI: absoluteCaptureTimeID = nil
        default: break
        }
    }
}
