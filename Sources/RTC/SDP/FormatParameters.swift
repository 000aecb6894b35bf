/// `a=fmtp` (RFC 8866 §6.15): codec parameters for one payload type, e.g. Opus's
/// `minptime=10;useinbandfec=1` (RFC 7587 §7).
public struct FormatParameters: Sendable, Hashable {
    public var payloadType: UInt8
    /// The parameter text exactly as sent.
    public var parameters: String

    public init(payloadType: UInt8, parameters: String) {
        self.payloadType = payloadType
        self.parameters = parameters
    }

    /// Parses `111 minptime=10;useinbandfec=1`.
    public init(sdpValue: String) throws(RTCError) {
        let trimmed = sdpValue.drop(while: { $0 == " " })
        let typeText = trimmed.prefix(while: { $0 != " " && $0 != "\t" })
        let payloadType = try RTPMap.payloadType(typeText, attribute: "fmtp")
        let rest = trimmed.dropFirst(typeText.count).drop(while: { $0 == " " || $0 == "\t" })
        self.init(payloadType: payloadType, parameters: String(rest))
    }

    public var sdpValue: String { parameters.isEmpty ? "\(payloadType)" : "\(payloadType) \(parameters)" }

    /// `key=value` pairs split on `;`; keys are lower-cased (RFC 7587 parameters are case-insensitive).
    public var values: [String: String] {
        var result: [String: String] = [:]
        for pair in parameters.split(separator: ";") {
            let trimmed = pair.trimmingSDPSpaces()
            guard !trimmed.isEmpty else { continue }
            if let equals = trimmed.firstIndex(of: "=") {
                let key = trimmed[..<equals].trimmingSDPSpaces().lowercased()
                result[key] = String(trimmed[trimmed.index(after: equals)...].trimmingSDPSpaces())
            } else {
                result[trimmed.lowercased()] = ""
            }
        }
        return result
    }
}

extension Substring {
    func trimmingSDPSpaces() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
