/// `a=ssrc` (RFC 5576 §4.1): a source attribute such as `cname:` or the legacy `msid:`.
/// pion maps incoming RTP to an m-line by these when no mid extension is present.
public struct SSRCAttribute: Sendable, Hashable {
    public var ssrc: UInt32
    public var attribute: String
    public var value: String?

    public init(ssrc: UInt32, attribute: String, value: String? = nil) {
        self.ssrc = ssrc
        self.attribute = attribute
        self.value = value
    }

    /// Parses `12345 cname:abc` or `12345 msid:stream track`.
    public init(sdpValue: String) throws(RTCError) {
        let trimmed = sdpValue.drop(while: { $0 == " " })
        let ssrcText = trimmed.prefix(while: { $0 != " " && $0 != "\t" })
        guard let ssrc = SDPValueParsing.decimal(ssrcText, as: UInt32.self) else {
            throw SDPValueParsing.malformed("a=ssrc id '\(ssrcText)' is not a 32-bit number")
        }
        let rest = trimmed.dropFirst(ssrcText.count).drop(while: { $0 == " " || $0 == "\t" })
        let name = rest.prefix(while: { $0 != ":" })
        guard SDPValueParsing.isToken(name) else {
            throw SDPValueParsing.malformed("a=ssrc needs 'ssrc-id attribute[:value]'")
        }
        let value = name.count < rest.count ? String(rest.dropFirst(name.count + 1)) : nil
        self.init(ssrc: ssrc, attribute: String(name), value: value)
    }

    public var sdpValue: String {
        let base = "\(ssrc) \(attribute)"
        return value.map { "\(base):\($0)" } ?? base
    }
}

/// `a=ssrc-group` (RFC 5576 §4.2), e.g. `FID` pairing a source with its retransmission stream.
public struct SSRCGroup: Sendable, Hashable {
    public var semantics: String
    public var ssrcs: [UInt32]

    public init(semantics: String, ssrcs: [UInt32]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }

    public init(sdpValue: String) throws(RTCError) {
        let fields = SDPValueParsing.fields(sdpValue)
        guard let semantics = fields.first, SDPValueParsing.isToken(semantics) else {
            throw SDPValueParsing.malformed("a=ssrc-group needs 'semantics ssrc...'")
        }
        var ssrcs: [UInt32] = []
        for text in fields.dropFirst() {
            guard let ssrc = SDPValueParsing.decimal(text, as: UInt32.self) else {
                throw SDPValueParsing.malformed("a=ssrc-group id '\(text)' is not a 32-bit number")
            }
            ssrcs.append(ssrc)
        }
        self.init(semantics: String(semantics), ssrcs: ssrcs)
    }

    public var sdpValue: String { ([semantics] + ssrcs.map(String.init)).joined(separator: " ") }
}
