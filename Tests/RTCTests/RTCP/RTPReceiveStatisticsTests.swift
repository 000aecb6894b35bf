import RTC
import Testing

@Suite("RTPReceiveStatistics")
struct RTPReceiveStatisticsTests {
    let t0 = ContinuousClock.now

    @Test func lossReorderAndDuplicatesMatchRFC3550ByHand() {
        var stats = RTPReceiveStatistics(ssrc: 7)
        // 1…10 with 3 and 7 lost, 5 duplicated, 9 after 10.
        for (index, sequence) in [1, 2, 4, 5, 5, 6, 8, 10, 9].enumerated() {
            stats.record(
                sequenceNumber: UInt16(sequence), timestamp: UInt32(sequence * 960), payloadLength: 10,
                arrival: t0 + .milliseconds(20 * index))
        }
        #expect(stats.packetsReceived == 9)
        #expect(stats.octetsReceived == 90)
        #expect(stats.extendedHighestSequenceNumber == 10)
        // expected 10, received 9 (duplicate counted): cumulative 1; fraction 1/10 × 256 = 25.
        let first = stats.makeReportBlock(now: t0 + .seconds(1))
        #expect(first.cumulativeLost == 1)
        #expect(first.fractionLost == 25)
        #expect(first.ssrc == 7)
        for sequence in 11...20 {
            stats.record(sequenceNumber: UInt16(sequence), timestamp: 0, arrival: t0 + .seconds(1))
        }
        let second = stats.makeReportBlock(now: t0 + .seconds(2))
        #expect(second.fractionLost == 0)
        #expect(second.cumulativeLost == 1)
        #expect(second.extendedHighestSequenceNumber == 20)
        // Interval with 4 of 8 lost: 128.
        for sequence in [21, 23, 25, 28] {
            stats.record(sequenceNumber: UInt16(sequence), timestamp: 0, arrival: t0 + .seconds(2))
        }
        #expect(stats.makeReportBlock(now: t0 + .seconds(3)).fractionLost == 128)
    }

    @Test func sequenceWraparoundExtendsTheCycleCount() {
        var stats = RTPReceiveStatistics(ssrc: 1)
        var sequence: UInt16 = 65530
        for _ in 0..<12 {
            if sequence != 65533 { stats.record(sequenceNumber: sequence, timestamp: 0, arrival: t0) }
            sequence &+= 1
        }
        stats.record(sequenceNumber: 65535, timestamp: 0, arrival: t0)  // late reorder across the wrap
        #expect(stats.extendedHighestSequenceNumber == 65536 + 5)
        let block = stats.makeReportBlock(now: t0)
        // expected 65541 − 65530 + 1 = 12, received 11 + 1 duplicate = 12.
        #expect(block.cumulativeLost == 0)
        #expect(block.extendedHighestSequenceNumber == 0x0001_0005)
    }

    @Test func bigJumpIsBelievedOnlyWhenTheNextPacketContinuesIt() {
        var stats = RTPReceiveStatistics(ssrc: 1)
        for sequence: UInt16 in 100...104 { stats.record(sequenceNumber: sequence, timestamp: 0, arrival: t0) }
        stats.record(sequenceNumber: 40_000, timestamp: 0, arrival: t0)
        #expect(stats.extendedHighestSequenceNumber == 104)
        #expect(stats.packetsReceived == 5)
        stats.record(sequenceNumber: 40_001, timestamp: 0, arrival: t0)
        #expect(stats.extendedHighestSequenceNumber == 40_001)
        #expect(stats.packetsReceived == 1)
    }

    /// A.8 by hand at 48 kHz: transits 0, 0, +480, 0 → scaled J 0, 0, 480, 930 → jitter 58.
    @Test func interarrivalJitterMatchesTheFixedPointFormula() {
        var stats = RTPReceiveStatistics(ssrc: 1)
        let arrivals = [0, 20, 50, 60]
        for (index, millisecond) in arrivals.enumerated() {
            stats.record(
                sequenceNumber: UInt16(index), timestamp: UInt32(index * 960) &+ 1_000_000,
                arrival: t0 + .milliseconds(millisecond))
        }
        #expect(stats.jitter == 58)
    }

    @Test func lastSenderReportAndDelay() {
        var stats = RTPReceiveStatistics(ssrc: 1)
        stats.record(sequenceNumber: 1, timestamp: 0, arrival: t0)
        #expect(stats.makeReportBlock(now: t0).lastSenderReport == 0)
        let ntp = NTPTimestamp(seconds: 0xAAAA_1234, fraction: 0x5678_BBBB)
        stats.recordSenderReport(ntpTimestamp: ntp, arrival: t0 + .seconds(1))
        let block = stats.makeReportBlock(now: t0 + .milliseconds(1500))
        #expect(block.lastSenderReport == 0x1234_5678)
        #expect(block.delaySinceLastSenderReport == 32768)
    }

    @Test func sendStatisticsCountAndExtrapolate() {
        var stats = RTPSendStatistics(ssrc: 9)
        stats.record(timestamp: 1000, payloadLength: 80, now: t0)
        stats.record(timestamp: 1960, payloadLength: 70, now: t0 + .milliseconds(20))
        #expect(stats.packetCount == 2 && stats.octetCount == 150)
        #expect(stats.rtpTimestamp(at: t0 + .milliseconds(520)) == 1960 + 24_000)
    }
}
