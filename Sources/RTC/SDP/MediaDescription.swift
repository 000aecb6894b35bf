/// One media section (`m=` and the lines after it, RFC 8866 §5.14): in WebRTC, one transceiver.
public struct MediaDescription: Sendable, Hashable {
    /// The `m=` media type.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        case audio, video, application
        case other(String)

        public init(_ text: String) {
            switch text {
            case "audio": self = .audio
            case "video": self = .video
            case "application": self = .application
            default: self = .other(text)
            }
        }

        public var description: String {
            switch self {
            case .audio: "audio"
            case .video: "video"
            case .application: "application"
            case .other(let text): text
            }
        }
    }

    public var kind: Kind
    /// 0 marks a rejected (or bundle-only) section (RFC 3264 §6, RFC 8843 §6).
    public var port: UInt16
    /// The `/<number of ports>` suffix, which WebRTC never uses.
    public var portCount: UInt16?
    /// Transport protocol, `UDP/TLS/RTP/SAVPF` for DTLS-SRTP media.
    public var proto: String
    /// Payload types for RTP, `webrtc-datachannel` for SCTP.
    public var formats: [String]
    /// `c=` lines; WebRTC sends one (RFC 8866 allows several for multicast).
    public var connections: [SDPConnection]
    /// `b=` lines, kept as text.
    public var bandwidths: [String]
    /// `i=` and `k=` lines.
    public var otherLines: [SDPLine]
    /// Every `a=` line of the section, in order, known or not.
    public var attributes: [SDPAttribute]

    public init(
        kind: Kind, port: UInt16, portCount: UInt16? = nil, proto: String, formats: [String],
        connections: [SDPConnection] = [], bandwidths: [String] = [], otherLines: [SDPLine] = [],
        attributes: [SDPAttribute] = []
    ) {
        self.kind = kind
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.connections = connections
        self.bandwidths = bandwidths
        self.otherLines = otherLines
        self.attributes = attributes
    }

    /// The first `c=` line.
    public var connection: SDPConnection? {
        get { connections.first }
        set { connections = newValue.map { [$0] } ?? [] }
    }

    /// Parses the text after `m=`: `<media> <port>[/<count>] <proto> <fmt> ...`.
    init(mediaLine: String) throws(RTCError) {
        let fields = SDPValueParsing.fields(mediaLine)
        guard fields.count >= 3 else {
            throw SDPValueParsing.malformed("m= needs 'media port proto fmt...', got \(fields.count) fields")
        }
        guard SDPValueParsing.isToken(fields[0]) else {
            throw SDPValueParsing.malformed("m= media type '\(fields[0])' is not a token")
        }
        let portParts = fields[1].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let port = SDPValueParsing.decimal(portParts[0], as: UInt16.self) else {
            throw SDPValueParsing.malformed("m= port '\(fields[1])' is not a number 0-65535")
        }
        var portCount: UInt16?
        if portParts.count == 2 {
            guard let count = SDPValueParsing.decimal(portParts[1], as: UInt16.self) else {
                throw SDPValueParsing.malformed("m= port count '\(portParts[1])' is not a number")
            }
            portCount = count
        }
        self.init(
            kind: Kind(String(fields[0])), port: port, portCount: portCount, proto: String(fields[2]),
            formats: fields.dropFirst(3).map(String.init))
    }

    var mediaLine: String {
        let portText = portCount.map { "\(port)/\($0)" } ?? "\(port)"
        return ([kind.description, portText, proto] + formats).joined(separator: " ")
    }
}
