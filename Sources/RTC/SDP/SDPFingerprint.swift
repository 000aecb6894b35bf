/// `a=fingerprint` (RFC 8122 §5): the hash of the peer's DTLS certificate, checked after the handshake.
public struct SDPFingerprint: Sendable, Hashable {
    /// Lower-case hash name as in the IANA registry ("sha-256").
    public var algorithm: String
    /// Upper-case hex bytes separated by colons ("AB:CD:...").
    public var value: String

    /// Normalizes case so comparisons with a locally computed fingerprint are plain equality.
    public init(algorithm: String, value: String) {
        self.algorithm = algorithm.lowercased()
        self.value = value.uppercased()
    }

    /// Parses `sha-256 AB:CD:...`; the value must be colon-separated pairs of hex digits.
    public init(sdpValue: String) throws(RTCError) {
        let fields = SDPValueParsing.fields(sdpValue)
        guard fields.count == 2 else {
            throw SDPValueParsing.malformed("a=fingerprint needs 'hash-func fingerprint', got \(fields.count) fields")
        }
        guard SDPValueParsing.isToken(fields[0]) else {
            throw SDPValueParsing.malformed("a=fingerprint hash function '\(fields[0])' is not a token")
        }
        let bytes = fields[1].split(separator: ":", omittingEmptySubsequences: false)
        let isHexPair: (Substring) -> Bool = { $0.utf8.count == 2 && $0.allSatisfy(\.isHexDigit) }
        guard !bytes.isEmpty, bytes.allSatisfy(isHexPair) else {
            throw SDPValueParsing.malformed("a=fingerprint value must be colon-separated hex byte pairs")
        }
        self.init(algorithm: String(fields[0]), value: String(fields[1]))
    }

    public var sdpValue: String { "\(algorithm) \(value)" }
}
