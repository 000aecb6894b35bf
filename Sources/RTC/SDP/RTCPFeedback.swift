/// `a=rtcp-fb` (RFC 4585 §4.2): which RTCP feedback messages a payload type supports
/// (`transport-cc`, `nack`, ...).
public struct RTCPFeedback: Sendable, Hashable {
    /// nil for the wildcard `*`, which applies to every payload type of the m-line.
    public var payloadType: UInt8?
    public var type: String
    public var parameter: String?

    public init(payloadType: UInt8?, type: String, parameter: String? = nil) {
        self.payloadType = payloadType
        self.type = type
        self.parameter = parameter
    }

    /// Parses `111 transport-cc` or `* nack pli`.
    public init(sdpValue: String) throws(RTCError) {
        let fields = SDPValueParsing.fields(sdpValue)
        guard fields.count >= 2 else {
            throw SDPValueParsing.malformed("a=rtcp-fb needs 'payload-type feedback-type [parameter]'")
        }
        let payloadType: UInt8? = fields[0] == "*" ? nil : try RTPMap.payloadType(fields[0], attribute: "rtcp-fb")
        let parameter = fields.count > 2 ? fields[2...].joined(separator: " ") : nil
        self.init(payloadType: payloadType, type: String(fields[1]), parameter: parameter)
    }

    public var sdpValue: String {
        let base = "\(payloadType.map(String.init) ?? "*") \(type)"
        return parameter.map { "\(base) \($0)" } ?? base
    }
}
