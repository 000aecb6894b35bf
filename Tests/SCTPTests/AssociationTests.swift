import SansIO
import Testing
@testable import SCTP

/// Back-to-back associations on a virtual clock (no sockets, no sleeps, seeded randomness).
@Suite struct AssociationTests {
    @Test func simultaneousOpenEstablishesBothSides() {
        let pair = BackToBack()
        #expect(pair.connect())
        #expect(pair.eventsA.contains(.established) && pair.eventsB.contains(.established))
        #expect(pair.elapsed < .milliseconds(100))
    }

    @Test func oneSidedOpenAndLostInitRetransmits() {
        var dropped = 0
        let pair = BackToBack(seed: 3)
        pair.filter = { bytes, _ in
            // Drop the first INIT (chunk type 1 right after the common header).
            if bytes[12] == 1 && dropped == 0 { dropped += 1; return false }
            return true
        }
        pair.toA(.connect)
        #expect(pair.run { $0.a.state == .established && $0.b.state == .established })
        #expect(dropped == 1)
        #expect(pair.elapsed >= .seconds(1))  // T1-init fired once
    }

    @Test func inBandChannelOpensOnBothSides() {
        let pair = BackToBack()
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "_reliable")))
        #expect(pair.run { !$0.opened($0.eventsA).isEmpty && !$0.opened($0.eventsB).isEmpty })
        let local = pair.opened(pair.eventsA)[0], remote = pair.opened(pair.eventsB)[0]
        #expect(local.id == 0 && remote.id == 0 && remote.remote && !local.remote)
        #expect(remote.options.label == "_reliable" && remote.options.ordered)
        // The DTLS server side allocates odd ids.
        pair.toB(.openChannel(DataChannelOptions(label: "_lossy", ordered: false, maxRetransmits: 0)))
        #expect(pair.run { $0.opened($0.eventsA).count == 2 })
        let lossy = pair.opened(pair.eventsA)[1]
        #expect(lossy.id == 1 && !lossy.options.ordered && lossy.options.maxRetransmits == 0 && lossy.options.label == "_lossy")
    }

    @Test func textBinaryAndEmptyMessagesKeepTheirKind() {
        let pair = BackToBack()
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "chat", negotiatedID: 7)))
        pair.toB(.openChannel(DataChannelOptions(label: "chat", negotiatedID: 7)))
        let sent: [DataChannelMessage] = [.text("héllo"), .binary([0, 1, 2]), .text(""), .binary([])]
        for message in sent { pair.toA(.send(channelID: 7, message)) }
        #expect(pair.run { $0.messages($0.eventsB).count == 4 })
        #expect(pair.messages(pair.eventsB) == sent)
        #expect(pair.errors(pair.eventsA).isEmpty && pair.errors(pair.eventsB).isEmpty)
    }

    @Test(arguments: [0.0, 0.1])
    func thousandOrderedMessagesArriveInOrder(lossRate: Double) {
        let pair = BackToBack(lossRate: lossRate, delay: .milliseconds(20), jitter: .milliseconds(15), seed: 11)
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "_reliable")))
        let sent = (0..<1000).map { DataChannelMessage.text("message \($0) " + String(repeating: "x", count: $0 % 300)) }
        for message in sent { pair.toA(.send(channelID: 0, message)) }
        #expect(pair.run(limit: .seconds(600)) { $0.messages($0.eventsB).count == 1000 })
        #expect(pair.messages(pair.eventsB) == sent)
        if lossRate > 0 { #expect(pair.a.stats.retransmittedChunks > 0) }
        // Everything acknowledged: nothing buffered.
        #expect(pair.run { $0.a.bufferedAmount(channelID: 0) == 0 })
    }

    @Test(arguments: [0.0, 0.1])
    func quarterMebibyteMessageIsFragmentedAndReassembled(lossRate: Double) {
        let pair = BackToBack(lossRate: lossRate, delay: .milliseconds(20), jitter: .milliseconds(15), seed: 5)
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "files")))
        var rng = SplitMix64(seed: 99)
        let big = (0..<(256 * 1024)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        pair.toA(.send(channelID: 0, .binary(big)))
        pair.toA(.send(channelID: 0, .text("after")))
        #expect(pair.run(limit: .seconds(600)) { $0.messages($0.eventsB).count == 2 })
        let received = pair.messages(pair.eventsB)
        let intact = received == [.binary(big), .text("after")]  // not printed: 256 KiB in a failure message helps nobody
        #expect(intact)
    }

    @Test func reliableUnorderedDeliversEverythingUnderLoss() {
        let pair = BackToBack(lossRate: 0.1, delay: .milliseconds(20), jitter: .milliseconds(30), seed: 8)
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "u", ordered: false)))
        #expect(pair.run { !$0.opened($0.eventsA).isEmpty })
        let sent = (0..<300).map { DataChannelMessage.binary([UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)]) }
        for message in sent { pair.toA(.send(channelID: 0, message)) }
        #expect(pair.run(limit: .seconds(600)) { $0.messages($0.eventsB).count == 300 })
        let received = pair.messages(pair.eventsB)
        #expect(Set(received.map { "\($0)" }) == Set(sent.map { "\($0)" }))
    }

    @Test func lossyChannelSkipsLostMessagesWithForwardTSN() {
        let pair = BackToBack(lossRate: 0.1, delay: .milliseconds(20), jitter: .milliseconds(10), seed: 21)
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "_lossy", ordered: false, maxRetransmits: 0)))
        pair.toA(.openChannel(DataChannelOptions(label: "_reliable")))
        #expect(pair.run { $0.opened($0.eventsA).count == 2 })
        for index in 0..<500 { pair.toA(.send(channelID: 0, .text("lossy \(index)"))) }
        pair.toA(.send(channelID: 2, .text("reliable after")))
        // The association does not stall on lost lossy messages: the reliable one arrives, and
        // everything sent is eventually acknowledged or abandoned.
        #expect(pair.run(limit: .seconds(600)) {
            $0.messages($0.eventsB, channel: 2) == [.text("reliable after")] && $0.a.bufferedAmount(channelID: 0) == 0
        })
        // The receiver's cumulative TSN moved past every abandoned message (FORWARD TSN worked).
        #expect(pair.run { $0.b.cumulativeTSN == $0.a.nextTSN &- 1 && $0.a.inflight.isEmpty })
        let lossy = pair.messages(pair.eventsB, channel: 0).count
        #expect(lossy < 500 && lossy > 300)
        #expect(pair.a.stats.abandonedMessages > 0)
    }

    @Test func timedChannelAbandonsOldMessages() {
        let pair = BackToBack(delay: .milliseconds(20), seed: 4)
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "timed", maxPacketLifeTime: .milliseconds(100), negotiatedID: 4)))
        pair.toB(.openChannel(DataChannelOptions(label: "timed", maxPacketLifeTime: .milliseconds(100), negotiatedID: 4)))
        // Lose every DATA chunk of the first message (and its retransmissions).
        pair.filter = { bytes, toB in
            !(toB && bytes.count > 28 && bytes[12] == 0 && Array(bytes[28..<min(bytes.count, 33)]) == Array("first".utf8))
        }
        pair.toA(.send(channelID: 4, .text("first")))
        pair.toA(.send(channelID: 4, .text("second")))
        #expect(pair.run(limit: .seconds(30)) { !$0.messages($0.eventsB).isEmpty })
        #expect(pair.messages(pair.eventsB) == [.text("second")])
        #expect(pair.a.stats.abandonedMessages == 1)
    }

    @Test func closeResetsTheStreamOnBothSidesAndTheIdIsReused() {
        let pair = BackToBack(lossRate: 0.1, seed: 13)
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "one")))
        #expect(pair.run { !$0.opened($0.eventsB).isEmpty })
        pair.toA(.send(channelID: 0, .text("last words")))
        pair.toA(.closeChannel(0))
        #expect(pair.run { $0.closed($0.eventsA) == [0] && $0.closed($0.eventsB) == [0] })
        #expect(pair.messages(pair.eventsB) == [.text("last words")])
        // Reopen on the same id; the stream sequence numbers start again at 0 on both sides.
        pair.toA(.openChannel(DataChannelOptions(label: "two")))
        #expect(pair.run { $0.opened($0.eventsB).count == 2 })
        #expect(pair.opened(pair.eventsB)[1].id == 0 && pair.opened(pair.eventsB)[1].options.label == "two")
        pair.toA(.send(channelID: 0, .text("again")))
        #expect(pair.run { $0.messages($0.eventsB).count == 2 })
        #expect(pair.messages(pair.eventsB).last == .text("again"))
    }

    @Test func peerInitiatedCloseClosesOurSide() {
        let pair = BackToBack()
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "x")))
        #expect(pair.run { !$0.opened($0.eventsB).isEmpty })
        pair.toB(.closeChannel(0))
        #expect(pair.run { $0.closed($0.eventsA) == [0] && $0.closed($0.eventsB) == [0] })
        pair.toA(.send(channelID: 0, .text("too late")))
        #expect(pair.errors(pair.eventsA).count == 1)
    }

    @Test func bufferedAmountFallsToTheLowWaterMark() {
        let pair = BackToBack(delay: .milliseconds(30), seed: 2)
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "bulk", negotiatedID: 0)))
        pair.toA(.setBufferedAmountLowThreshold(channelID: 0, bytes: 16 * 1024))
        for _ in 0..<64 { pair.toA(.send(channelID: 0, .binary([UInt8](repeating: 1, count: 4096)))) }
        #expect(pair.a.bufferedAmount(channelID: 0) == 64 * 4096)
        #expect(pair.run { $0.eventsA.contains(.bufferedAmountLow(channelID: 0)) })
        #expect(pair.a.bufferedAmount(channelID: 0) <= 16 * 1024)
        #expect(pair.eventsA.filter { $0 == .bufferedAmountLow(channelID: 0) }.count == 1)
    }

    @Test func gracefulShutdownDeliversQueuedDataFirst() {
        let pair = BackToBack(lossRate: 0.1, seed: 17)
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "c", negotiatedID: 0)))
        pair.toB(.openChannel(DataChannelOptions(label: "c", negotiatedID: 0)))
        for index in 0..<20 { pair.toA(.send(channelID: 0, .text("\(index)"))) }
        pair.toA(.shutdown)
        #expect(pair.run { $0.a.state == .terminated && $0.b.state == .terminated })
        #expect(pair.messages(pair.eventsB).count == 20)
        #expect(pair.eventsA.contains(.closed(reason: "SCTP: shut down")))
    }

    @Test func deadPeerEndsTheAssociation() {
        let pair = BackToBack()
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "c", negotiatedID: 0)))
        pair.filter = { _, _ in false }  // the link dies
        pair.toA(.send(channelID: 0, .text("into the void")))
        #expect(pair.run(limit: .seconds(3600)) { $0.a.state == .terminated })
        #expect(pair.eventsA.contains { if case .closed(let reason) = $0 { reason.contains("unreachable") } else { false } })
    }

    @Test func badApplicationInputIsAnErrorEventNotACrash() {
        let pair = BackToBack()
        #expect(pair.connect())
        pair.toA(.send(channelID: 42, .text("nobody")))
        pair.toA(.closeChannel(42))
        pair.toA(.openChannel(DataChannelOptions(label: "a", negotiatedID: 3)))
        pair.toA(.openChannel(DataChannelOptions(label: "b", negotiatedID: 3)))
        pair.toA(.send(channelID: 3, .binary([UInt8](repeating: 0, count: 2 * 1024 * 1024))))
        #expect(pair.errors(pair.eventsA).count == 4)
        #expect(pair.a.state == .established)
    }
}
