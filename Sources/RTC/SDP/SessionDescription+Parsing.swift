extension SessionDescription {
    /// Parses an SDP document. Lines end in CRLF (RFC 8866 §5); a bare LF is accepted too.
    ///
    /// Known attributes (rtpmap, fmtp, extmap, fingerprint, setup, ssrc, ...) are validated here so a
    /// bad line is reported with its line number instead of silently disappearing later.
    /// - Throws: `RTCError` `.malformedSDP` with "line N: ..." for the first offending line.
    public init(parsing text: String) throws(RTCError) {
        var parser = SDPDocumentParser()
        var lineNumber = 0
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let bytes = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            if bytes.isEmpty { continue }
            let line = String(decoding: bytes, as: UTF8.self)
            do throws(RTCError) {
                try parser.consume(line: line, bytes: bytes)
            } catch {
                let shown = line.count > 60 ? String(line.prefix(60)) + "..." : line
                throw RTCError(.malformedSDP, "SDP line \(lineNumber) '\(shown)': \(error.message)")
            }
        }
        self = try parser.finish()
    }
}

/// The line-by-line state of one parse: which section we are in and what has been seen.
private struct SDPDocumentParser {
    private var sawVersion = false
    private var origin: SDPOrigin?
    private var sessionName: String?
    private var timing: [String] = []
    private var connection: SDPConnection?
    private var bandwidths: [String] = []
    private var otherLines: [SDPLine] = []
    private var attributes: [SDPAttribute] = []
    private var media: [MediaDescription] = []

    mutating func consume(line: String, bytes: Substring.UTF8View.SubSequence) throws(RTCError) {
        guard bytes.count >= 2, let typeByte = bytes.first,
            bytes[bytes.index(after: bytes.startIndex)] == UInt8(ascii: "=")
        else {
            throw SDPValueParsing.malformed("expected '<type>=<value>'")
        }
        let value = String(decoding: bytes.dropFirst(2), as: UTF8.self)
        let type = Character(Unicode.Scalar(typeByte))
        guard sawVersion || type == "v" else { throw SDPValueParsing.malformed("the first line must be v=0") }
        if media.isEmpty {
            try consumeSessionLine(type: type, value: value)
        } else {
            try consumeMediaLine(type: type, value: value)
        }
    }

    private mutating func consumeSessionLine(type: Character, value: String) throws(RTCError) {
        switch type {
        case "v":
            guard !sawVersion else { throw SDPValueParsing.malformed("duplicate v= line") }
            guard value == "0" else { throw SDPValueParsing.malformed("unsupported SDP version '\(value)'") }
            sawVersion = true
        case "o":
            guard origin == nil else { throw SDPValueParsing.malformed("duplicate o= line") }
            origin = try SDPOrigin(sdpValue: value)
        case "s":
            guard sessionName == nil else { throw SDPValueParsing.malformed("duplicate s= line") }
            sessionName = value
        case "t": timing.append(value)
        case "c": connection = try SDPConnection(sdpValue: value)
        case "b": bandwidths.append(value)
        case "a": attributes.append(try Self.attribute(value))
        case "m": media.append(try MediaDescription(mediaLine: value))
        case "i", "u", "e", "p", "r", "z", "k": otherLines.append(SDPLine(type: type, value: value))
        default: throw SDPValueParsing.malformed("unknown line type '\(type)'")
        }
    }

    private mutating func consumeMediaLine(type: Character, value: String) throws(RTCError) {
        let last = media.count - 1
        switch type {
        case "m": media.append(try MediaDescription(mediaLine: value))
        case "a": media[last].attributes.append(try Self.attribute(value))
        case "c": media[last].connections.append(try SDPConnection(sdpValue: value))
        case "b": media[last].bandwidths.append(value)
        case "i", "k": media[last].otherLines.append(SDPLine(type: type, value: value))
        case "v", "o", "s", "t", "u", "e", "p", "r", "z":
            throw SDPValueParsing.malformed("'\(type)=' is only allowed at session level, before the first m=")
        default: throw SDPValueParsing.malformed("unknown line type '\(type)'")
        }
    }

    func finish() throws(RTCError) -> SessionDescription {
        guard sawVersion else { throw SDPValueParsing.malformed("empty SDP: no v= line") }
        guard let origin else { throw SDPValueParsing.malformed("SDP has no o= line") }
        var media = media
        for index in media.indices { media[index].otherLines = Self.inWritingOrder(media[index].otherLines) }
        return SessionDescription(
            origin: origin, sessionName: sessionName ?? "-", timing: timing.isEmpty ? ["0 0"] : timing,
            connection: connection, bandwidths: bandwidths, otherLines: Self.inWritingOrder(otherLines),
            attributes: attributes,
            media: media)
    }

    /// Stable-sorts rare lines into the order `serialized()` writes them, so a round trip is exact.
    private static func inWritingOrder(_ lines: [SDPLine]) -> [SDPLine] {
        let order: [Character] = ["i", "u", "e", "p", "r", "z", "k"]
        return lines.enumerated().sorted { lhs, rhs in
            let left = order.firstIndex(of: lhs.element.type) ?? order.count
            let right = order.firstIndex(of: rhs.element.type) ?? order.count
            return left == right ? lhs.offset < rhs.offset : left < right
        }.map(\.element)
    }

    private static func attribute(_ value: String) throws(RTCError) -> SDPAttribute {
        let attribute = try SDPAttribute(lineValue: Substring(value))
        try validate(attribute)
        return attribute
    }

    /// Checks the syntax of the attributes this stack reads, so typed accessors never meet bad text.
    private static func validate(_ attribute: SDPAttribute) throws(RTCError) {
        let value = attribute.value ?? ""
        switch attribute.name {
        case "rtpmap": _ = try RTPMap(sdpValue: value)
        case "fmtp": _ = try FormatParameters(sdpValue: value)
        case "rtcp-fb": _ = try RTCPFeedback(sdpValue: value)
        case "extmap": _ = try ExtensionMap(sdpValue: value)
        case "msid": _ = try MediaStreamID(sdpValue: value)
        case "ssrc": _ = try SSRCAttribute(sdpValue: value)
        case "ssrc-group": _ = try SSRCGroup(sdpValue: value)
        case "fingerprint": _ = try SDPFingerprint(sdpValue: value)
        case "setup": _ = try DTLSSetup(sdpValue: value)
        case "group": _ = try SDPGroup(sdpValue: value)
        case "mid", "ice-ufrag", "ice-pwd", "candidate":
            guard !SDPValueParsing.fields(value).isEmpty else {
                throw SDPValueParsing.malformed("a=\(attribute.name) needs a value")
            }
        default: break
        }
    }
}
