/// `a=group` (RFC 5888 §5), used for `BUNDLE` (RFC 8843): the mids that share one transport.
/// The first mid is the offerer's tagged m-line, whose ICE/DTLS parameters the bundle uses.
public struct SDPGroup: Sendable, Hashable {
    public var semantics: String
    public var mids: [String]

    public init(semantics: String, mids: [String]) {
        self.semantics = semantics
        self.mids = mids
    }

    public init(sdpValue: String) throws(RTCError) {
        let fields = SDPValueParsing.fields(sdpValue)
        guard let semantics = fields.first, SDPValueParsing.isToken(semantics) else {
            throw SDPValueParsing.malformed("a=group needs 'semantics mid...'")
        }
        self.init(semantics: String(semantics), mids: fields.dropFirst().map(String.init))
    }

    public var sdpValue: String { ([semantics] + mids).joined(separator: " ") }

    public var isBundle: Bool { semantics.uppercased() == "BUNDLE" }
}
