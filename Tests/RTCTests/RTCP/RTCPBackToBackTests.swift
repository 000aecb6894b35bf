import RTC
import Testing

/// Two endpoints wired back to back on a virtual clock: A sends Opus RTP (with loss) and SRs,
/// B receives and reports; A reads B's RR.
@Suite("RTCP back to back")
struct RTCPBackToBackTests {
    let t0 = ContinuousClock.now

    @Test func receiverReportReflectsLossAndRoundTrip() throws {
        let ntpAtStart = NTPTimestamp(seconds: 3_900_000_000, fraction: 0)
        var sender = RTCPScheduler(
            configuration: .init(localSSRC: 0xA, cname: "a"), ntpReference: ntpAtStart, now: t0, seed: 1)
        var receiver = RTCPScheduler(
            configuration: .init(localSSRC: 0xB, cname: "b"), ntpReference: ntpAtStart, now: t0, seed: 2)
        var packetizer = OpusRTPPacketizer(
            ssrc: 0xA, payloadType: 111, initialSequenceNumber: 65_530, initialTimestamp: 0)
        let oneWay = Duration.milliseconds(30)
        var reportToSender: [UInt8]?
        var senderReportSent = false
        for index in 0..<100 {
            let now = t0 + .milliseconds(20 * index)
            let bytes = packetizer.packetize([UInt8](repeating: 1, count: 50))
            let packet = try RTPPacket(parsing: bytes)
            sender.handleSentRTP(timestamp: packet.header.timestamp, payloadLength: packet.payload.count, now: now)
            if index % 10 != 5 {  // every tenth packet lost
                receiver.handleReceivedRTP(
                    ssrc: packet.header.ssrc, sequenceNumber: packet.header.sequenceNumber,
                    timestamp: packet.header.timestamp, payloadLength: packet.payload.count, now: now + oneWay)
            }
            // Sender's report at 1 s reaches the receiver one way later.
            if !senderReportSent && now >= sender.nextReportTime {
                sender.handleTimeout(now: now)
                guard case .transmit(let report) = sender.pollOutput() else { throw RTCError(.invalidState, "no SR") }
                receiver.handleReceivedRTCP(try RTCPPacket.parseCompound(report), now: now + oneWay)
                senderReportSent = true
            }
        }
        let receiverReportTime = max(t0 + .seconds(2) + .milliseconds(100), receiver.nextReportTime)
        receiver.handleTimeout(now: receiverReportTime)
        if case .transmit(let bytes) = receiver.pollOutput() { reportToSender = bytes }
        let bytes = try #require(reportToSender)
        guard case .receiverReport(let report) = try RTCPPacket.parseCompound(bytes).first else {
            Issue.record("expected an RR from the receive-only side")
            return
        }
        let block = try #require(report.reportBlocks.first)
        #expect(block.ssrc == 0xA)
        #expect(block.cumulativeLost == 10)
        #expect(block.extendedHighestSequenceNumber == 65_536 + 93)  // 65530 + 99 wraps to 93, one cycle
        #expect(block.fractionLost == UInt8(10 * 256 / 100))
        let arrival = ntpAtStart.adding(receiverReportTime + oneWay - t0)
        let rtt = try #require(block.roundTripTime(arrival: arrival))
        // DLSR/LSR are 1/65536 s units: allow one unit of rounding each way.
        #expect(rtt > .microseconds(59_900) && rtt < .microseconds(60_100))
    }
}
