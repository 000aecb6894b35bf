import Foundation
import TestSupport
import Testing
@testable import RTC

/// Data channels between two Steadfast connections on the virtual clock: the RFC 8841 SDP, SCTP
/// inside real DTLS (RFC 8261), DCEP, BUNDLE with audio, renegotiation, loss.
@Suite("PeerConnection data channels back to back (virtual clock)")
struct DataChannelLoopbackTests {
    static func opened(_ harness: LoopbackHarness, _ side: String) -> [PeerConnection.DataChannel] {
        harness.events.compactMap { entry in
            guard entry.side == side, case .dataChannelOpened(let channel) = entry.event else { return nil }
            return channel
        }
    }

    static func messages(_ harness: LoopbackHarness, _ side: String) -> [(PeerConnection.DataChannelID, DataChannelMessage)] {
        harness.events.compactMap { entry in
            guard entry.side == side, case .dataChannelMessage(let id, let message) = entry.event else { return nil }
            return (id, message)
        }
    }

    static func closed(_ harness: LoopbackHarness, _ side: String) -> [PeerConnection.DataChannelID] {
        harness.events.compactMap { entry in
            guard entry.side == side, case .dataChannelClosed(let id) = entry.event else { return nil }
            return id
        }
    }

    @Test func dataOnlyOfferOpensAChannelAndCarriesTextBinaryAndEmptyMessagesBothWays() throws {
        let harness = try LoopbackHarness()
        let chat = try harness.offerer.createDataChannel(.init(label: "chat", protocol: "json"), now: harness.now)
        let offer = try harness.offerer.createOffer()
        #expect(offer.contains("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"))
        #expect(offer.contains("a=sctp-port:5000"))
        #expect(offer.contains("a=max-message-size:1048576"))
        #expect(!offer.contains("m=audio"))
        try harness.answerer.setRemoteDescription(offer, type: .offer, now: harness.now)
        let answer = try harness.answerer.createAnswer()
        #expect(answer.contains("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"))
        #expect(answer.contains("a=setup:active"))
        try harness.offerer.setRemoteDescription(answer, type: .answer, now: harness.now)
        harness.pump()
        harness.run(until: harness.now + .seconds(2))
        #expect(harness.offerer.state == .connected)

        let mine = Self.opened(harness, "offerer")
        #expect(mine.map(\.id) == [chat])
        #expect(mine.first?.remote == false)
        // The answerer is the DTLS client here (setup:active), so the offerer's channel has an odd id.
        #expect(mine.first?.streamID == 1)
        let theirs = try #require(Self.opened(harness, "answerer").first)
        #expect(theirs.remote && theirs.label == "chat" && theirs.options.protocol == "json" && theirs.options.ordered)

        let sent: [DataChannelMessage] = [.text("hello"), .binary([1, 2, 3]), .text(""), .binary([]), .text("ünïcödé")]
        for message in sent { try harness.offerer.sendData(message, on: chat, now: harness.now) }
        for message in sent.reversed() { try harness.answerer.sendData(message, on: theirs.id, now: harness.now) }
        harness.run(until: harness.now + .seconds(1))
        #expect(Self.messages(harness, "answerer").map(\.1) == sent)
        #expect(Self.messages(harness, "answerer").allSatisfy { $0.0 == theirs.id })
        #expect(Self.messages(harness, "offerer").map(\.1) == sent.reversed())
        #expect(harness.offerer.statistics.dataMessagesSent == 5)
        #expect(harness.answerer.statistics.dataMessagesReceived == 5)
        #expect(harness.answerer.statistics.dataBytesReceived == 5 + 3 + 11)

        harness.offerer.closeDataChannel(chat, now: harness.now)
        harness.run(until: harness.now + .seconds(1))
        #expect(Self.closed(harness, "offerer") == [chat])
        #expect(Self.closed(harness, "answerer") == [theirs.id])
        #expect(harness.offerer.dataChannels.isEmpty && harness.answerer.dataChannels.isEmpty)
        #expect(throws: RTCError.self) { try harness.offerer.sendData(.text("late"), on: chat, now: harness.now) }
    }

    @Test func dataBundlesWithAudioAndBothCarryTraffic() throws {
        let harness = try LoopbackHarness()
        harness.offerer.addSendTrack()
        harness.answerer.addSendTrack()
        _ = try harness.offerer.createDataChannel(.init(label: "_reliable"), now: harness.now)
        let offer = try harness.offerer.createOffer()
        #expect(offer.contains("a=group:BUNDLE 0 1"))
        #expect(offer.contains("m=audio") && offer.contains("m=application"))
        try harness.answerer.setRemoteDescription(offer, type: .offer, now: harness.now)
        let answer = try harness.answerer.createAnswer()
        #expect(answer.contains("a=group:BUNDLE 0 1"))
        try harness.offerer.setRemoteDescription(answer, type: .answer, now: harness.now)
        harness.pump()
        harness.run(until: harness.now + .seconds(2))
        let channel = try #require(Self.opened(harness, "offerer").first)
        let payload = [UInt8](repeating: 0x78, count: 60)
        var count = 0
        harness.run(until: harness.now + .seconds(1), every: { now in
            harness.offerer.sendAudio(payload, now: now)
            try? harness.offerer.sendData(.text("tick \(count)"), on: channel.id, now: now)
            count += 1
        })
        harness.run(until: harness.now + .milliseconds(500))
        #expect(harness.answerer.statistics.packetsReceived >= count - 1)
        #expect(Self.messages(harness, "answerer").map(\.1) == (0..<count).map { .text("tick \($0)") })
    }

    @Test func channelsAddedByRenegotiationInEitherDirectionAndByEitherSide() throws {
        let harness = try LoopbackHarness()
        harness.offerer.addSendTrack()
        try harness.negotiate()
        harness.run(until: harness.now + .seconds(2))
        #expect(harness.offerer.state == .connected)

        // The answerer adds data and offers: the roles of the first exchange stay (RFC 8842 §5).
        let fromAnswerer = try harness.answerer.createDataChannel(.init(label: "late"), now: harness.now)
        let reoffer = try harness.answerer.createOffer()
        #expect(reoffer.contains("m=application"))
        try harness.offerer.setRemoteDescription(reoffer, type: .offer, now: harness.now)
        let reanswer = try harness.offerer.createAnswer()
        try harness.answerer.setRemoteDescription(reanswer, type: .answer, now: harness.now)
        harness.pump()
        harness.run(until: harness.now + .seconds(1))
        #expect(Self.opened(harness, "answerer").map(\.id) == [fromAnswerer])
        // The answerer of the first exchange is the DTLS client: even stream ids.
        #expect(Self.opened(harness, "answerer").first?.streamID == 0)
        let remote = try #require(Self.opened(harness, "offerer").first)
        #expect(remote.label == "late" && remote.remote)

        // Now the original offerer opens one too, with no SDP needed: odd ids.
        let fromOfferer = try harness.offerer.createDataChannel(.init(label: "second", ordered: false, maxRetransmits: 0), now: harness.now)
        harness.run(until: harness.now + .seconds(1))
        let second = try #require(Self.opened(harness, "offerer").first { $0.id == fromOfferer })
        #expect(second.streamID == 1)
        let mirrored = try #require(Self.opened(harness, "answerer").first { $0.label == "second" })
        #expect(!mirrored.options.ordered && mirrored.options.maxRetransmits == 0)
        try harness.offerer.sendData(.text("over the lossy one"), on: fromOfferer, now: harness.now)
        harness.run(until: harness.now + .seconds(1))
        #expect(Self.messages(harness, "answerer").map(\.1) == [.text("over the lossy one")])
    }

    @Test func preNegotiatedChannelsNeedNoHandshake() throws {
        let harness = try LoopbackHarness()
        let a = try harness.offerer.createDataChannel(.init(label: "signal", negotiatedID: 7), now: harness.now)
        let b = try harness.answerer.createDataChannel(.init(label: "signal", negotiatedID: 7), now: harness.now)
        try harness.negotiate()
        harness.run(until: harness.now + .seconds(2))
        #expect(Self.opened(harness, "offerer").map(\.streamID) == [7])
        #expect(Self.opened(harness, "answerer").map(\.id) == [b])
        try harness.offerer.sendData(.text("ping"), on: a, now: harness.now)
        try harness.answerer.sendData(.binary([0xFF]), on: b, now: harness.now)
        harness.run(until: harness.now + .seconds(1))
        #expect(Self.messages(harness, "answerer").map(\.1) == [.text("ping")])
        #expect(Self.messages(harness, "offerer").map(\.1) == [.binary([0xFF])])
        #expect(throws: RTCError.self) { try harness.offerer.createDataChannel(.init(label: "dup", negotiatedID: 7), now: harness.now) }
    }

    @Test func thousandOrderedMessagesAndA256KiBMessageSurviveTenPercentLoss() throws {
        let harness = try LoopbackHarness()
        let channel = try harness.offerer.createDataChannel(.init(label: "bulk"), now: harness.now)
        try harness.negotiate()
        harness.run(until: harness.now + .seconds(2))
        #expect(Self.opened(harness, "offerer").count == 1)
        harness.network.lossRate = 0.1
        harness.network.reorderRate = 0.05
        let big = (0..<262_144).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        for index in 0..<1_000 { try harness.offerer.sendData(.text("message \(index)"), on: channel, now: harness.now) }
        try harness.offerer.sendData(.binary(big), on: channel, now: harness.now)
        #expect((harness.offerer.dataChannel(channel)?.bufferedAmount ?? 0) > 262_144)
        harness.run(until: harness.now + .seconds(30))
        let received = Self.messages(harness, "answerer").map(\.1)
        #expect(received.count == 1_001)
        #expect(Array(received.prefix(1_000)) == (0..<1_000).map { .text("message \($0)") })
        #expect(received.last == .binary(big))
        #expect(harness.network.dropped > 0)
        #expect(harness.offerer.dataChannel(channel)?.bufferedAmount == 0)
    }

    @Test func bufferedAmountLowFiresAndTheSizeLimitIsThePeers() throws {
        var small = PeerConnection.Configuration()
        small.maxMessageSize = 4_096
        let harness = try LoopbackHarness(answererConfiguration: small)
        let channel = try harness.offerer.createDataChannel(.init(label: "bp"), now: harness.now)
        harness.offerer.setBufferedAmountLowThreshold(1_000, on: channel, now: harness.now)
        try harness.negotiate()
        harness.run(until: harness.now + .seconds(2))
        #expect(throws: RTCError.self) { try harness.offerer.sendData(.binary([UInt8](repeating: 1, count: 4_097)), on: channel, now: harness.now) }
        for _ in 0..<20 { try harness.offerer.sendData(.binary([UInt8](repeating: 2, count: 4_096)), on: channel, now: harness.now) }
        #expect(harness.offerer.dataChannel(channel)?.bufferedAmount == 20 * 4_096)
        harness.run(until: harness.now + .seconds(2))
        let lows = harness.events.filter { entry in
            if entry.side == "offerer", case .dataChannelBufferedAmountLow(let id) = entry.event { return id == channel }
            return false
        }
        #expect(lows.count == 1)
        #expect(Self.messages(harness, "answerer").count == 20)
    }

    @Test func aRejectedDataSectionClosesTheChannelsAndAudioGoesOn() throws {
        let harness = try LoopbackHarness()
        harness.offerer.addSendTrack()
        let channel = try harness.offerer.createDataChannel(.init(label: "x"), now: harness.now)
        let offer = try harness.offerer.createOffer()
        // A peer that takes no data answers with the data section rejected.
        let stripped = offer.replacingOccurrences(of: "UDP/DTLS/SCTP", with: "UDP/DTLS/SCTP-unknown")
        try harness.answerer.setRemoteDescription(stripped, type: .offer, now: harness.now)
        let answer = try harness.answerer.createAnswer()
        #expect(answer.contains("m=application 0 "))
        try harness.offerer.setRemoteDescription(answer, type: .answer, now: harness.now)
        harness.pump()
        harness.run(until: harness.now + .seconds(2))
        #expect(harness.offerer.state == .connected)
        #expect(Self.opened(harness, "offerer").isEmpty)
        #expect(harness.offerer.dataChannel(channel)?.state == .connecting)
        #expect(throws: RTCError.self) { try harness.offerer.sendData(.text("no"), on: channel, now: harness.now) }
    }
}
