import RTC
import Testing

@Suite("RTCPScheduler")
struct RTCPSchedulerTests {
    let t0 = ContinuousClock.now
    static let ntp = NTPTimestamp(seconds: 3_900_000_000, fraction: 0)

    func makeScheduler(seed: UInt64 = 42) -> RTCPScheduler {
        RTCPScheduler(
            configuration: .init(localSSRC: 0x5EED, cname: "agent-1"), ntpReference: Self.ntp, now: t0, seed: seed)
    }

    /// Runs the scheduler on a virtual clock, returning (time, datagram) of each report.
    func drive(_ scheduler: inout RTCPScheduler, reports: Int) -> [(ContinuousClock.Instant, [UInt8])] {
        var sent: [(ContinuousClock.Instant, [UInt8])] = []
        var now = t0
        while sent.count < reports {
            switch scheduler.pollOutput() {
            case .transmit(let bytes): sent.append((now, bytes))
            case .timeout(let at):
                now = at
                scheduler.handleTimeout(now: now)
            case .closed: return sent
            }
        }
        return sent
    }

    @Test func intervalsAreRandomizedAroundOneSecond() {
        var scheduler = makeScheduler()
        let reports = drive(&scheduler, reports: 60)
        let first = reports[0].0 - t0
        #expect(first >= .milliseconds(250) && first < .milliseconds(750))
        var gaps: [Duration] = []
        for index in 1..<reports.count { gaps.append(reports[index].0 - reports[index - 1].0) }
        #expect(gaps.allSatisfy { $0 >= .milliseconds(500) && $0 < .milliseconds(1500) })
        let mean = gaps.reduce(Duration.zero, +) / gaps.count
        #expect(mean > .milliseconds(850) && mean < .milliseconds(1150))
        #expect(Set(gaps.map { $0.components.attoseconds }).count > 50)  // actually randomized
    }

    @Test func receiverReportUntilWeSendThenSenderReport() throws {
        var scheduler = makeScheduler()
        scheduler.handleReceivedRTP(ssrc: 0xBEEF, sequenceNumber: 10, timestamp: 0, payloadLength: 50, now: t0)
        scheduler.handleReceivedRTP(ssrc: 0xBEEF, sequenceNumber: 12, timestamp: 1920, payloadLength: 50, now: t0)
        let first = drive(&scheduler, reports: 1)[0].1
        let packets = try RTCPPacket.parseCompound(first)
        guard case .receiverReport(let rr) = packets.first, packets.count == 2 else {
            Issue.record("expected RR + SDES, got \(packets)")
            return
        }
        #expect(rr.ssrc == 0x5EED)
        #expect(rr.reportBlocks.first?.ssrc == 0xBEEF)
        #expect(rr.reportBlocks.first?.cumulativeLost == 1)
        #expect(packets[1] == .sourceDescription(RTCPSourceDescription(chunks: [.init(ssrc: 0x5EED, cname: "agent-1")])))

        let sendTime = scheduler.nextReportTime - .milliseconds(100)
        scheduler.handleSentRTP(timestamp: 5000, payloadLength: 60, now: sendTime)
        let reportTime = scheduler.nextReportTime
        scheduler.handleTimeout(now: reportTime)
        guard case .transmit(let bytes) = scheduler.pollOutput(),
            case .senderReport(let sr) = try RTCPPacket.parseCompound(bytes).first
        else {
            Issue.record("expected an SR")
            return
        }
        #expect(sr.packetCount == 1 && sr.octetCount == 60)
        #expect(sr.rtpTimestamp == 5000 + 4800)
        #expect(sr.ntpTimestamp == Self.ntp.adding(reportTime - t0))
        // Nothing sent since: back to RR.
        scheduler.handleTimeout(now: scheduler.nextReportTime)
        guard case .transmit(let next) = scheduler.pollOutput() else {
            Issue.record("expected a report")
            return
        }
        let isReceiverReport = try RTCPPacket.parseCompound(next).first.map {
            if case .receiverReport = $0 { true } else { false }
        }
        #expect(isReceiverReport == true)
    }

    @Test func senderReportsFeedLSRAndByeDropsTheSource() {
        var scheduler = makeScheduler()
        scheduler.handleReceivedRTP(ssrc: 7, sequenceNumber: 1, timestamp: 0, payloadLength: 1, now: t0)
        let ntp = NTPTimestamp(seconds: 0x0000_1111, fraction: 0x2222_0000)
        scheduler.handleReceivedRTCP(
            [.senderReport(RTCPSenderReport(ssrc: 7, ntpTimestamp: ntp, rtpTimestamp: 0, packetCount: 1, octetCount: 1))],
            now: t0)
        var copy = scheduler.receiveStatistics[7]
        #expect(copy?.makeReportBlock(now: t0 + .seconds(1)).lastSenderReport == 0x1111_2222)
        scheduler.handleReceivedRTCP([.goodbye(RTCPGoodbye(ssrcs: [7]))], now: t0)
        #expect(scheduler.receiveStatistics.isEmpty)
    }

    @Test func closeEmitsByeThenStops() throws {
        var scheduler = makeScheduler()
        scheduler.close(reason: "bye", now: t0 + .milliseconds(10))
        guard case .transmit(let bytes) = scheduler.pollOutput() else {
            Issue.record("expected BYE")
            return
        }
        let packets = try RTCPPacket.parseCompound(bytes)
        #expect(packets.last == .goodbye(RTCPGoodbye(ssrcs: [0x5EED], reason: "bye")))
        #expect(packets.count == 2)
        #expect(scheduler.pollOutput() == .closed)
        scheduler.handleTimeout(now: t0 + .seconds(5))
        #expect(scheduler.pollOutput() == .closed)
    }
}
