/// One STUN attribute, decoded into the forms ICE needs (RFC 8489 §14, RFC 8445 §16.1).
///
/// MESSAGE-INTEGRITY and FINGERPRINT are not attributes here: `STUNMessage` computes and checks
/// them itself, because they depend on the bytes around them rather than on a value.
public enum STUNAttribute: Equatable, Sendable {
    case mappedAddress(TransportAddress)
    case xorMappedAddress(TransportAddress)
    case username(String)
    case software(String)
    /// RFC 8445 §7.1.1: the priority a peer-reflexive candidate would get.
    case priority(UInt32)
    /// RFC 8445 §7.1.2: the controlling agent nominates this pair.
    case useCandidate
    /// RFC 8445 §7.1.3: the sender thinks it is controlling; the value is its tie-breaker.
    case iceControlling(UInt64)
    /// RFC 8445 §7.1.3: the sender thinks it is controlled; the value is its tie-breaker.
    case iceControlled(UInt64)
    /// RFC 8489 §14.8: class*100+number, e.g. 487 Role Conflict.
    case errorCode(code: Int, reason: String)
    /// Anything else, kept byte for byte so a caller can still look at it.
    case unknown(type: UInt16, value: [UInt8])

    /// The attribute type codes (RFC 8489 §18.3, RFC 8445 §16.1).
    enum TypeCode {
        static let mappedAddress: UInt16 = 0x0001
        static let username: UInt16 = 0x0006
        static let messageIntegrity: UInt16 = 0x0008
        static let errorCode: UInt16 = 0x0009
        static let xorMappedAddress: UInt16 = 0x0020
        static let priority: UInt16 = 0x0024
        static let useCandidate: UInt16 = 0x0025
        static let software: UInt16 = 0x8022
        static let fingerprint: UInt16 = 0x8028
        static let iceControlled: UInt16 = 0x8029
        static let iceControlling: UInt16 = 0x802A
    }

    static let magicCookie: UInt32 = 0x2112_A442

    // MARK: - Decoding

    /// Decodes one attribute value; `transactionID` is needed for the XOR address.
    static func decode(type: UInt16, value: ArraySlice<UInt8>, transactionID: STUNTransactionID) throws(RTCError)
        -> STUNAttribute
    {
        let value = Array(value)
        switch type {
        case TypeCode.mappedAddress:
            return .mappedAddress(try decodeAddress(value, xorKey: nil))
        case TypeCode.xorMappedAddress:
            return .xorMappedAddress(try decodeAddress(value, xorKey: xorKey(transactionID)))
        case TypeCode.username:
            return .username(try decodeText(value, limit: 513, name: "USERNAME"))
        case TypeCode.software:
            return .software(try decodeText(value, limit: 763, name: "SOFTWARE"))
        case TypeCode.priority:
            guard value.count == 4 else { throw malformed("PRIORITY must be 4 bytes") }
            return .priority(UInt32(bigEndian: value, at: 0))
        case TypeCode.useCandidate:
            guard value.isEmpty else { throw malformed("USE-CANDIDATE must be empty") }
            return .useCandidate
        case TypeCode.iceControlling, TypeCode.iceControlled:
            guard value.count == 8 else { throw malformed("ICE-CONTROLLING/CONTROLLED must be 8 bytes") }
            let tieBreaker = UInt64(UInt32(bigEndian: value, at: 0)) << 32 | UInt64(UInt32(bigEndian: value, at: 4))
            return type == TypeCode.iceControlling ? .iceControlling(tieBreaker) : .iceControlled(tieBreaker)
        case TypeCode.errorCode:
            guard value.count >= 4 else { throw malformed("ERROR-CODE shorter than 4 bytes") }
            let errorClass = Int(value[2] & 0x07)
            let number = Int(value[3])
            guard (3...6).contains(errorClass), number < 100 else { throw malformed("ERROR-CODE out of range") }
            let reason = String(decoding: value[4...], as: UTF8.self)
            return .errorCode(code: errorClass * 100 + number, reason: reason)
        default:
            return .unknown(type: type, value: value)
        }
    }

    private static func decodeText(_ value: [UInt8], limit: Int, name: String) throws(RTCError) -> String {
        guard value.count <= limit else { throw malformed("\(name) longer than \(limit) bytes") }
        guard let text = String(validating: value, as: UTF8.self) else { throw malformed("\(name) is not UTF-8") }
        return text
    }

    /// RFC 8489 §14.1/§14.2: family byte, port, then 4 or 16 address bytes (XORed for XOR-MAPPED).
    private static func decodeAddress(_ value: [UInt8], xorKey: [UInt8]?) throws(RTCError) -> TransportAddress {
        guard value.count >= 4 else { throw malformed("address attribute shorter than 4 bytes") }
        let length: Int
        switch value[1] {
        case 0x01: length = 4
        case 0x02: length = 16
        default: throw malformed("unknown address family \(value[1])")
        }
        guard value.count == 4 + length else { throw malformed("address attribute has the wrong length") }
        var port = UInt16(value[2]) << 8 | UInt16(value[3])
        var ip = Array(value[4...])
        if let xorKey {
            port ^= UInt16(magicCookie >> 16)
            for index in ip.indices { ip[index] ^= xorKey[index] }
        }
        guard let address = TransportAddress(ipBytes: ip, port: port) else { throw malformed("bad address") }
        return address
    }

    /// Magic cookie followed by the transaction ID: the XOR mask for addresses (RFC 8489 §14.2).
    static func xorKey(_ transactionID: STUNTransactionID) -> [UInt8] {
        magicCookie.bigEndianBytes + transactionID.bytes
    }

    private static func malformed(_ message: String) -> RTCError { RTCError(.malformedPacket, "STUN: \(message)") }

    // MARK: - Encoding

    /// The type code and value bytes (unpadded) for this attribute.
    func encoded(transactionID: STUNTransactionID) -> (type: UInt16, value: [UInt8]) {
        switch self {
        case .mappedAddress(let address):
            return (TypeCode.mappedAddress, Self.encodeAddress(address, xorKey: nil))
        case .xorMappedAddress(let address):
            return (TypeCode.xorMappedAddress, Self.encodeAddress(address, xorKey: Self.xorKey(transactionID)))
        case .username(let text):
            return (TypeCode.username, Array(text.utf8))
        case .software(let text):
            return (TypeCode.software, Array(text.utf8))
        case .priority(let value):
            return (TypeCode.priority, value.bigEndianBytes)
        case .useCandidate:
            return (TypeCode.useCandidate, [])
        case .iceControlling(let tieBreaker):
            return (TypeCode.iceControlling, Self.encodeTieBreaker(tieBreaker))
        case .iceControlled(let tieBreaker):
            return (TypeCode.iceControlled, Self.encodeTieBreaker(tieBreaker))
        case .errorCode(let code, let reason):
            let clamped = min(max(code, 300), 699)
            return (TypeCode.errorCode, [0, 0, UInt8(clamped / 100), UInt8(clamped % 100)] + Array(reason.utf8))
        case .unknown(let type, let value):
            return (type, value)
        }
    }

    private static func encodeTieBreaker(_ value: UInt64) -> [UInt8] {
        UInt32(value >> 32).bigEndianBytes + UInt32(value & 0xFFFF_FFFF).bigEndianBytes
    }

    private static func encodeAddress(_ address: TransportAddress, xorKey: [UInt8]?) -> [UInt8] {
        var port = address.port
        var ip = address.ipBytes
        if let xorKey {
            port ^= UInt16(magicCookie >> 16)
            for index in ip.indices { ip[index] ^= xorKey[index] }
        }
        return [0, address.isIPv6 ? 0x02 : 0x01, UInt8(port >> 8), UInt8(port & 0xFF)] + ip
    }
}

// MARK: - Byte helpers shared by the STUN files

extension UInt32 {
    /// Reads 4 big-endian bytes at `offset` (caller checked the bounds).
    init(bigEndian bytes: some RandomAccessCollection<UInt8>, at offset: Int) {
        let start = bytes.index(bytes.startIndex, offsetBy: offset)
        var value: UInt32 = 0
        for byte in bytes[start..<bytes.index(start, offsetBy: 4)] { value = value << 8 | UInt32(byte) }
        self = value
    }

    var bigEndianBytes: [UInt8] {
        [UInt8(self >> 24), UInt8((self >> 16) & 0xFF), UInt8((self >> 8) & 0xFF), UInt8(self & 0xFF)]
    }
}

extension UInt16 {
    var bigEndianBytes: [UInt8] { [UInt8(self >> 8), UInt8(self & 0xFF)] }
}
