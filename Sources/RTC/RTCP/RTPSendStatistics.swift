/// What we sent on one SSRC, for the sender-info part of an SR (RFC 3550 §6.4.1).
///
/// Also remembers the last RTP timestamp and when it was sent, so an SR can state the RTP
/// timestamp that matches its NTP time by extrapolating along the media clock.
public struct RTPSendStatistics: Sendable, Equatable {
    public let ssrc: UInt32
    public let clockRate: Int
    /// Wraps at 2^32 as the SR field does.
    public private(set) var packetCount: UInt32 = 0
    /// Payload octets, headers and padding excluded; wraps at 2^32.
    public private(set) var octetCount: UInt32 = 0
    public private(set) var lastTimestamp: UInt32?
    public private(set) var lastSendTime: ContinuousClock.Instant?

    public init(ssrc: UInt32, clockRate: Int = 48_000) {
        self.ssrc = ssrc
        self.clockRate = clockRate
    }

    public mutating func record(timestamp: UInt32, payloadLength: Int, now: ContinuousClock.Instant) {
        packetCount &+= 1
        octetCount &+= UInt32(truncatingIfNeeded: max(0, payloadLength))
        lastTimestamp = timestamp
        lastSendTime = now
    }

    /// The RTP timestamp that corresponds to `now`, extrapolated from the last sent packet.
    public func rtpTimestamp(at now: ContinuousClock.Instant) -> UInt32 {
        guard let lastTimestamp, let lastSendTime else { return 0 }
        let elapsed = RTPReceiveStatistics.mediaUnits(of: now - lastSendTime, clockRate: clockRate)
        return lastTimestamp &+ UInt32(truncatingIfNeeded: elapsed)
    }
}
