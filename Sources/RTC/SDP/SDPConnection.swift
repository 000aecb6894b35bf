/// The `c=` line (RFC 8866 §5.7). WebRTC puts the default candidate's address here, or
/// `IN IP4 0.0.0.0` when it only trickles.
public struct SDPConnection: Sendable, Hashable {
    public var networkType: String
    public var addressType: String
    /// The address, including any `/ttl` or `/count` suffix, as sent.
    public var address: String

    public init(networkType: String = "IN", addressType: String = "IP4", address: String = "0.0.0.0") {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    /// Parses the text after `c=`.
    public init(sdpValue: String) throws(RTCError) {
        let fields = SDPValueParsing.fields(sdpValue)
        guard fields.count == 3 else {
            throw SDPValueParsing.malformed("c= needs 3 fields (nettype addrtype address), got \(fields.count)")
        }
        self.init(networkType: String(fields[0]), addressType: String(fields[1]), address: String(fields[2]))
    }

    public var sdpValue: String { "\(networkType) \(addressType) \(address)" }
}
