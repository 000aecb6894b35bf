/// `a=rtpmap` (RFC 8866 §6.6): binds a dynamic payload type to a codec.
public struct RTPMap: Sendable, Hashable {
    public var payloadType: UInt8
    public var encodingName: String
    public var clockRate: UInt32
    /// Audio channel count; nil when the line has no third part (which means 1).
    public var channels: UInt8?

    public init(payloadType: UInt8, encodingName: String, clockRate: UInt32, channels: UInt8? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    /// Parses `111 opus/48000/2`.
    public init(sdpValue: String) throws(RTCError) {
        let fields = SDPValueParsing.fields(sdpValue)
        guard fields.count == 2 else {
            throw SDPValueParsing.malformed("a=rtpmap needs 'payload-type encoding/clock[/channels]'")
        }
        let payloadType = try RTPMap.payloadType(fields[0], attribute: "rtpmap")
        let parts = fields[1].split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, SDPValueParsing.isToken(parts[0]) else {
            throw SDPValueParsing.malformed("a=rtpmap encoding '\(fields[1])' is not name/clock[/channels]")
        }
        guard let clock = SDPValueParsing.decimal(parts[1], as: UInt32.self), clock > 0 else {
            throw SDPValueParsing.malformed("a=rtpmap clock rate '\(parts[1])' is not a positive number")
        }
        var channels: UInt8?
        if parts.count == 3 {
            guard let count = SDPValueParsing.decimal(parts[2], as: UInt8.self), count > 0 else {
                throw SDPValueParsing.malformed("a=rtpmap channel count '\(parts[2])' is not a positive number")
            }
            channels = count
        }
        self.init(payloadType: payloadType, encodingName: String(parts[0]), clockRate: clock, channels: channels)
    }

    public var sdpValue: String {
        let base = "\(payloadType) \(encodingName)/\(clockRate)"
        return channels.map { "\(base)/\($0)" } ?? base
    }

    /// RTP payload types are 7 bits (RFC 3550 §5.1).
    static func payloadType(_ text: Substring, attribute: String) throws(RTCError) -> UInt8 {
        guard let value = SDPValueParsing.decimal(text, as: UInt8.self), value <= 127 else {
            throw SDPValueParsing.malformed("a=\(attribute) payload type '\(text)' is not a number 0-127")
        }
        return value
    }
}
