/// A credential (API key, API secret) that refuses to be printed.
///
/// Every textual path — `description`, string interpolation, `dump`, `Mirror`, `Encodable` —
/// yields the redacted form, which shows at most the last 4 characters and only when the value
/// is long enough that 4 characters reveal little. The value itself is reachable only through
/// the deliberately loud `unredactedValue`.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, Encodable
{
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The raw value, for signing and request headers only. Never log it.
    public var unredactedValue: String { value }

    /// `…abcd` for values of 16+ characters, `****` otherwise.
    public var redacted: String { Self.redact(value) }

    public var description: String { redacted }
    public var debugDescription: String { "Secret(\(redacted))" }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted]) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(redacted)
    }

    /// Redacts any string the same way (for values that are not wrapped yet).
    public static func redact(_ value: String) -> String {
        value.count >= 16 ? "…" + value.suffix(4) : "****"
    }
}
