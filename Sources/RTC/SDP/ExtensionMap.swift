/// `a=extmap` (RFC 8285 §8): binds an RTP header extension URI to a local id. An answer must
/// reuse the offer's ids (Chrome rejects reassignments, pion/webrtc#1255).
public struct ExtensionMap: Sendable, Hashable {
    /// 1–14 for one-byte headers, up to 255 with two-byte headers (RFC 8285 §4.2, §4.3).
    public var id: Int
    public var direction: MediaDirection?
    public var uri: String
    /// Extension-specific attributes after the URI, as sent.
    public var extensionAttributes: String?

    public init(id: Int, direction: MediaDirection? = nil, uri: String, extensionAttributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.extensionAttributes = extensionAttributes
    }

    /// Parses `3 urn:...`, `3/sendonly urn:...` or `3 urn:... attributes`.
    public init(sdpValue: String) throws(RTCError) {
        let fields = SDPValueParsing.fields(sdpValue)
        guard fields.count >= 2 else { throw SDPValueParsing.malformed("a=extmap needs 'id[/direction] uri'") }
        let idParts = fields[0].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let id = SDPValueParsing.decimal(idParts[0], as: Int.self), (1...255).contains(id), id != 15 else {
            throw SDPValueParsing.malformed("a=extmap id '\(idParts[0])' is not in 1-14 or 16-255")
        }
        var direction: MediaDirection?
        if idParts.count == 2 {
            guard let parsed = MediaDirection(rawValue: String(idParts[1])) else {
                throw SDPValueParsing.malformed("a=extmap direction '\(idParts[1])' is not a media direction")
            }
            direction = parsed
        }
        let attributes = fields.count > 2 ? fields[2...].joined(separator: " ") : nil
        self.init(id: id, direction: direction, uri: String(fields[1]), extensionAttributes: attributes)
    }

    public var sdpValue: String {
        let idText = direction.map { "\(id)/\($0.rawValue)" } ?? "\(id)"
        let base = "\(idText) \(uri)"
        return extensionAttributes.map { "\(base) \($0)" } ?? base
    }
}

/// The header extension URIs this stack negotiates for audio.
public enum RTPHeaderExtensionURI {
    /// RFC 8843 §15.2: lets the receiver map a packet to its m-line under BUNDLE.
    public static let mid = "urn:ietf:params:rtp-hdrext:sdes:mid"
    /// RFC 6464: audio level, used by LiveKit for active-speaker detection.
    public static let audioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
    /// Capture timestamps for A/V sync; the only extension LiveKit sends to subscribers.
    public static let absoluteCaptureTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"
    /// Transport-wide sequence numbers for send-side bandwidth estimation (only when enabled).
    public static let transportWideCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
}
