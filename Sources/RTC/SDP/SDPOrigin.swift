/// The `o=` line (RFC 8866 §5.2): identifies a session and, through `sessionVersion`, each new
/// version of a description that JSEP re-offers must bump.
public struct SDPOrigin: Sendable, Hashable {
    public var username: String
    /// Kept as text: browsers send 19–20 digit ids and the value is only ever compared.
    public var sessionID: String
    public var sessionVersion: UInt64
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(
        username: String = "-", sessionID: String, sessionVersion: UInt64,
        networkType: String = "IN", addressType: String = "IP4", address: String = "127.0.0.1"
    ) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    /// Parses the text after `o=`.
    public init(sdpValue: String) throws(RTCError) {
        let fields = SDPValueParsing.fields(sdpValue)
        guard fields.count == 6 else {
            throw SDPValueParsing.malformed("o= needs 6 fields (username sess-id sess-version nettype addrtype address), got \(fields.count)")
        }
        guard let version = SDPValueParsing.decimal(fields[2], as: UInt64.self) else {
            throw SDPValueParsing.malformed("o= session version '\(fields[2])' is not a decimal number")
        }
        self.init(
            username: String(fields[0]), sessionID: String(fields[1]), sessionVersion: version,
            networkType: String(fields[3]), addressType: String(fields[4]), address: String(fields[5]))
    }

    public var sdpValue: String {
        "\(username) \(sessionID) \(sessionVersion) \(networkType) \(addressType) \(address)"
    }
}
