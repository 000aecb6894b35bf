/// A 64-bit NTP timestamp (RFC 3550 §4): seconds since 1900 and a 32-bit binary fraction.
///
/// The stack has no wall clock; the caller supplies one NTP reading paired with a `ContinuousClock`
/// instant and everything later is derived by adding elapsed durations.
public struct NTPTimestamp: Sendable, Equatable, Comparable {
    public var seconds: UInt32
    public var fraction: UInt32

    public init(seconds: UInt32, fraction: UInt32) {
        self.seconds = seconds
        self.fraction = fraction
    }

    public init(raw: UInt64) {
        self.init(seconds: UInt32(truncatingIfNeeded: raw >> 32), fraction: UInt32(truncatingIfNeeded: raw))
    }

    /// Seconds since the Unix epoch → NTP (the eras differ by 2 208 988 800 s).
    public init(unixSeconds: Double) {
        let ntp = unixSeconds + 2_208_988_800
        let whole = ntp.rounded(.down)
        let fraction = min((ntp - whole) * 4_294_967_296, 4_294_967_295)
        self.init(seconds: UInt32(truncatingIfNeeded: Int64(whole)), fraction: UInt32(fraction))
    }

    public var raw: UInt64 { UInt64(seconds) << 32 | UInt64(fraction) }

    /// The "compact" middle 32 bits used for LSR (RFC 3550 §6.4.1).
    public var middle32: UInt32 { UInt32(truncatingIfNeeded: raw >> 16) }

    /// This time plus a (non-negative or negative) duration, wrapping like NTP does.
    public func adding(_ duration: Duration) -> NTPTimestamp {
        let (seconds, attoseconds) = duration.components
        // 2^32 / 10^18 fraction units per attosecond, computed without overflow via nanoseconds.
        let fractionDelta = (attoseconds / 1_000_000_000) * 4_294_967_296 / 1_000_000_000
        let total = Int64(bitPattern: raw) &+ (seconds << 32) &+ fractionDelta
        return NTPTimestamp(raw: UInt64(bitPattern: total))
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.raw < rhs.raw }
}
