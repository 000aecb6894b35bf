/// Small, trap-free helpers shared by the SDP value parsers.
///
/// Every number in an SDP document comes from a peer, so conversions go through these
/// helpers instead of `Int(_:)`, which would accept a sign and tempt a force-unwrap.
enum SDPValueParsing {
    /// Parses a decimal made only of ASCII digits; nil on anything else or on overflow.
    static func decimal<T: FixedWidthInteger>(_ text: Substring, as type: T.Type = T.self) -> T? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return T(text, radix: 10)
    }

    static func decimal<T: FixedWidthInteger>(_ text: String, as type: T.Type = T.self) -> T? {
        decimal(Substring(text), as: type)
    }

    /// Splits on runs of spaces and tabs (RFC 8866 uses single spaces, peers sometimes send more).
    static func fields(_ text: Substring) -> [Substring] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }

    static func fields(_ text: String) -> [Substring] { fields(Substring(text)) }

    /// RFC 8866 §9 token characters: what attribute names, encoding names and group semantics use.
    static func isToken(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case 0x21, 0x23...0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x30...0x39, 0x41...0x5A, 0x5E...0x7E: true
            default: false
            }
        }
    }

    static func malformed(_ reason: String) -> RTCError { RTCError(.malformedSDP, reason) }
}
