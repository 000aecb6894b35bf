/// A STUN message (RFC 8489 §5–6): header, transaction ID and attributes.
///
/// Parsing never traps: any truncation or inconsistency throws `RTCError(.malformedPacket)`.
/// A parsed message remembers where MESSAGE-INTEGRITY and FINGERPRINT sat in the datagram, so that
/// `hasValidIntegrity(key:)` and `hasValidFingerprint` can check them against the original bytes.
public struct STUNMessage: Sendable {
    /// The two class bits of the message type (RFC 8489 §5).
    public enum MessageClass: UInt16, Sendable {
        case request = 0, indication = 1, successResponse = 2, errorResponse = 3
    }

    /// The only method ICE uses (RFC 8489 §18.2).
    public static let bindingMethod: UInt16 = 0x001

    /// Request, indication, success or error response.
    public var messageClass: MessageClass
    /// 12-bit method number.
    public var method: UInt16
    public var transactionID: STUNTransactionID
    /// All attributes except MESSAGE-INTEGRITY and FINGERPRINT, in wire order.
    public var attributes: [STUNAttribute]

    /// The raw datagram and the offsets of the integrity/fingerprint attributes (parsed messages only).
    private var raw: [UInt8] = []
    private var integrityOffset: Int?
    private var fingerprintOffset: Int?

    /// A message to send; a new request gets a fresh random transaction ID, a response copies the request's.
    public init(
        messageClass: MessageClass, method: UInt16 = STUNMessage.bindingMethod,
        transactionID: STUNTransactionID = .random(), attributes: [STUNAttribute] = []
    ) {
        self.messageClass = messageClass
        self.method = method & 0x0FFF
        self.transactionID = transactionID
        self.attributes = attributes
    }

    // MARK: - Demultiplexing

    /// A cheap test that a datagram is STUN rather than DTLS/RTP (RFC 7983 first byte 0–3, plus the magic cookie).
    public static func isSTUN(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 20 && bytes[0] <= 3 && UInt32(bigEndian: bytes, at: 4) == STUNAttribute.magicCookie
    }

    // MARK: - Parsing

    /// Parses one datagram that must contain exactly one STUN message.
    public init(parsing bytes: [UInt8]) throws(RTCError) {
        guard bytes.count >= 20 else { throw Self.malformed("shorter than the 20-byte header") }
        guard bytes[0] & 0xC0 == 0 else { throw Self.malformed("top two bits of the type are not zero") }
        guard UInt32(bigEndian: bytes, at: 4) == STUNAttribute.magicCookie else {
            throw Self.malformed("no magic cookie")
        }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard length % 4 == 0 else { throw Self.malformed("length \(length) is not a multiple of 4") }
        guard 20 + length == bytes.count else { throw Self.malformed("length \(length) does not match the datagram") }

        let type = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let classBits = (type >> 4) & 0x1 | (type >> 7) & 0x2
        let method = type & 0x000F | (type >> 1) & 0x0070 | (type >> 2) & 0x0F80
        guard let transactionID = STUNTransactionID(bytes: Array(bytes[8..<20])),
            let messageClass = MessageClass(rawValue: classBits)
        else { throw Self.malformed("bad header") }

        self.init(messageClass: messageClass, method: method, transactionID: transactionID)
        self.raw = bytes
        try parseAttributes(bytes)
    }

    private mutating func parseAttributes(_ bytes: [UInt8]) throws(RTCError) {
        var offset = 20
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { throw Self.malformed("truncated attribute header") }
            let type = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
            let valueLength = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let valueStart = offset + 4
            let padded = (valueLength + 3) & ~3
            guard bytes.count - valueStart >= padded else {
                throw Self.malformed("attribute 0x\(String(type, radix: 16)) overruns the message")
            }
            let value = bytes[valueStart..<(valueStart + valueLength)]

            if fingerprintOffset != nil {
                // RFC 8489 §14.7: FINGERPRINT is last; anything after it is ignored.
            } else if type == STUNAttribute.TypeCode.fingerprint {
                guard valueLength == 4 else { throw Self.malformed("FINGERPRINT must be 4 bytes") }
                fingerprintOffset = offset
            } else if integrityOffset != nil {
                // RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY (other than FINGERPRINT) are ignored.
            } else if type == STUNAttribute.TypeCode.messageIntegrity {
                guard valueLength == 20 else { throw Self.malformed("MESSAGE-INTEGRITY must be 20 bytes") }
                integrityOffset = offset
            } else {
                attributes.append(try STUNAttribute.decode(type: type, value: value, transactionID: transactionID))
            }
            offset = valueStart + padded
        }
    }

    private static func malformed(_ message: String) -> RTCError { RTCError(.malformedPacket, "STUN: \(message)") }

    // MARK: - Verification

    /// True when the message carried MESSAGE-INTEGRITY.
    public var hasIntegrity: Bool { integrityOffset != nil }
    /// True when the message carried FINGERPRINT.
    public var hasFingerprint: Bool { fingerprintOffset != nil }

    /// Checks MESSAGE-INTEGRITY (HMAC-SHA1) with a short-term key, i.e. the ICE password's UTF-8 bytes
    /// (RFC 8489 §9.1, §14.5). False when the attribute is absent or wrong.
    public func hasValidIntegrity(key: [UInt8]) -> Bool {
        guard let integrityOffset else { return false }
        let received = Array(raw[(integrityOffset + 4)..<(integrityOffset + 24)])
        let covered = Self.withLength(raw[0..<integrityOffset], bodyLength: integrityOffset - 20 + 24)
        guard let computed = try? HMACSHA1.authenticate(covered, key: key) else { return false }
        return constantTimeEquals(received, computed)
    }

    /// Checks FINGERPRINT (CRC-32 xor 0x5354554E, RFC 8489 §14.7). False when absent or wrong.
    public var hasValidFingerprint: Bool {
        guard let fingerprintOffset else { return false }
        let received = UInt32(bigEndian: raw, at: fingerprintOffset + 4)
        let covered = Self.withLength(raw[0..<fingerprintOffset], bodyLength: fingerprintOffset - 20 + 8)
        return received == CRC32.checksum(covered) ^ Self.fingerprintXor
    }

    static let fingerprintXor: UInt32 = 0x5354_554E

    /// A copy of `prefix` with the header length field replaced, as MI and FINGERPRINT require.
    private static func withLength(_ prefix: ArraySlice<UInt8>, bodyLength: Int) -> [UInt8] {
        var bytes = Array(prefix)
        bytes[2] = UInt8((bodyLength >> 8) & 0xFF)
        bytes[3] = UInt8(bodyLength & 0xFF)
        return bytes
    }

    private func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: - Serialising

    /// The wire bytes. With `integrityKey` a MESSAGE-INTEGRITY is appended, then FINGERPRINT if asked.
    /// Throws only if libcrypto fails, which means a broken installation.
    public func encoded(integrityKey: [UInt8]? = nil, fingerprint: Bool = false) throws(RTCError) -> [UInt8] {
        var bytes = headerBytes()
        for attribute in attributes {
            let (type, value) = attribute.encoded(transactionID: transactionID)
            Self.append(type: type, value: value, to: &bytes)
        }
        if let integrityKey {
            Self.setLength(of: &bytes, to: bytes.count - 20 + 24)
            let mac: [UInt8]
            do { mac = try HMACSHA1.authenticate(bytes, key: integrityKey) } catch {
                throw RTCError(.crypto, "STUN MESSAGE-INTEGRITY: \(error)")
            }
            Self.append(type: STUNAttribute.TypeCode.messageIntegrity, value: mac, to: &bytes)
        }
        if fingerprint {
            Self.setLength(of: &bytes, to: bytes.count - 20 + 8)
            let crc = CRC32.checksum(bytes) ^ Self.fingerprintXor
            Self.append(type: STUNAttribute.TypeCode.fingerprint, value: crc.bigEndianBytes, to: &bytes)
        }
        Self.setLength(of: &bytes, to: bytes.count - 20)
        return bytes
    }

    private func headerBytes() -> [UInt8] {
        let c = messageClass.rawValue
        let m = method
        let type = m & 0x000F | (m & 0x0070) << 1 | (m & 0x0F80) << 2 | (c & 1) << 4 | (c & 2) << 7
        return type.bigEndianBytes + [0, 0] + STUNAttribute.magicCookie.bigEndianBytes + transactionID.bytes
    }

    private static func append(type: UInt16, value: [UInt8], to bytes: inout [UInt8]) {
        bytes += type.bigEndianBytes + UInt16(truncatingIfNeeded: value.count).bigEndianBytes + value
        bytes += [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
    }

    private static func setLength(of bytes: inout [UInt8], to length: Int) {
        bytes[2] = UInt8((length >> 8) & 0xFF)
        bytes[3] = UInt8(length & 0xFF)
    }
}
