/// One `a=` line, kept verbatim so unknown attributes survive a parse/serialize round trip in order.
///
/// `value == nil` is a property attribute (`a=rtcp-mux`); `value == ""` is `a=name:` with an empty
/// value. The two serialize differently, so they are kept apart.
public struct SDPAttribute: Sendable, Hashable {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }

    /// The text after `a=`.
    public var sdpText: String {
        guard let value else { return name }
        return "\(name):\(value)"
    }

    /// Splits the text after `a=` at the first colon (RFC 8866 §5.13).
    init(lineValue: Substring) throws(RTCError) {
        let name: Substring
        let value: Substring?
        if let colon = lineValue.firstIndex(of: ":") {
            name = lineValue[..<colon]
            value = lineValue[lineValue.index(after: colon)...]
        } else {
            name = lineValue
            value = nil
        }
        guard SDPValueParsing.isToken(name) else {
            throw SDPValueParsing.malformed("attribute name '\(name)' is empty or has characters outside the token set")
        }
        self.init(String(name), value.map(String.init))
    }
}

extension Array where Element == SDPAttribute {
    /// Values of every attribute named `name`, in document order.
    func values(named name: String) -> [String] {
        compactMap { $0.name == name ? ($0.value ?? "") : nil }
    }

    func firstValue(named name: String) -> String? {
        first(where: { $0.name == name }).map { $0.value ?? "" }
    }

    func contains(named name: String) -> Bool { contains(where: { $0.name == name }) }
}
