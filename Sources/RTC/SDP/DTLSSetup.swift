/// `a=setup` (RFC 4145 §4, RFC 5763 §5): who opens the DTLS connection.
public enum DTLSSetup: String, Sendable, Hashable, CaseIterable {
    case actpass, active, passive, holdconn

    public init(sdpValue: String) throws(RTCError) {
        guard let setup = DTLSSetup(rawValue: sdpValue.lowercased()) else {
            throw SDPValueParsing.malformed("a=setup value '\(sdpValue)' is not actpass, active, passive or holdconn")
        }
        self = setup
    }
}
