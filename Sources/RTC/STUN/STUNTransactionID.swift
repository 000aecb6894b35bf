/// The 96-bit transaction ID that ties a STUN response to its request (RFC 8489 §5).
public struct STUNTransactionID: Hashable, Sendable, CustomStringConvertible {
    /// Exactly 12 bytes.
    public let bytes: [UInt8]

    /// Returns nil unless `bytes` has exactly 12 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 12 else { return nil }
        self.bytes = bytes
    }

    /// A fresh ID from the system CSPRNG: IDs must be unpredictable so that off-path attackers
    /// cannot forge responses (RFC 8489 §5).
    public static func random() -> STUNTransactionID {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<12).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return STUNTransactionID(uncheckedBytes: bytes)
    }

    private init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }

    public var description: String { bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined() }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
