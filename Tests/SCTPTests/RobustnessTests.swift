import SansIO
import Testing
@testable import SCTP

/// Malformed and random SCTP packets, chunks and DCEP messages never crash or wedge the core
/// (issue 11 §4). Seeded, so a failure reproduces.
@Suite struct RobustnessTests {
    /// Valid packets of every chunk type, as mutation seeds.
    static func seeds(tag: UInt32) -> [[UInt8]] {
        let chunks: [SCTPChunk] = [
            .data(DataChunk(tsn: 5, streamID: 0, ssn: 0, ppid: PPID.dcep,
                            userData: DCEPMessage.open(DataChannelOpen(channelType: .reliable, label: "x")).serialize())),
            .data(DataChunk(tsn: 6, streamID: 1, ssn: 0, ppid: PPID.string, userData: Array("hi".utf8), beginning: true, ending: false)),
            .initiation(InitChunk(initiateTag: 1, advertisedReceiverWindow: 1000, outboundStreams: 1, inboundStreams: 1, initialTSN: 1,
                                  parameters: SCTPAssociation.extensionParameters)),
            .sack(SackChunk(cumulativeTSNAck: 3, advertisedReceiverWindow: 100, gapBlocks: [.init(start: 2, end: 4)], duplicateTSNs: [1])),
            .heartbeat(HeartbeatChunk(info: [1, 2, 3, 4])),
            .forwardTSN(ForwardTSNChunk(newCumulativeTSN: 9, skipped: [.init(streamID: 1, ssn: 3)])),
            .reconfig(ReconfigChunk(parameters: [.outgoingReset(requestSequence: 1, responseSequence: 0, senderLastTSN: 4, streams: [0, 1])])),
            .reconfig(ReconfigChunk(parameters: [.response(responseSequence: 7, result: .inProgress)])),
            .cookieEcho(CookieEchoChunk(cookie: [UInt8](repeating: 7, count: 21))),
            .shutdown(ShutdownChunk(cumulativeTSNAck: 2)),
            .error(ErrorChunk(causes: [SCTPParameter(type: 1, value: [0, 1, 0, 0])])),
        ]
        return chunks.map { SCTPPacket(verificationTag: tag, chunks: [$0]).serialize() }
    }

    @Test func randomAndMutatedBytesNeverTrapTheParsers() {
        var rng = SplitMix64(seed: 2026)
        let seeds = Self.seeds(tag: 1)
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 4 == 0 {
                bytes = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
                for _ in 0..<(1 + Int(rng.next() % 4)) where !bytes.isEmpty {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
                if rng.next() % 5 == 0 { bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1)))) }
            }
            _ = try? SCTPPacket.parse(bytes, verifyChecksum: false)
            _ = try? DCEPMessage.parse(Array(bytes.dropFirst(12)))
        }
    }

    /// Hostile packets (with valid checksums and tags, so they get past the first checks) into
    /// an established association; it keeps working afterwards.
    @Test func hostilePacketsDoNotWedgeAnEstablishedAssociation() throws {
        let pair = BackToBack(seed: 77)
        #expect(pair.connect())
        pair.toA(.openChannel(DataChannelOptions(label: "ok")))
        #expect(pair.run { !$0.opened($0.eventsB).isEmpty })
        var rng = SplitMix64(seed: 404)
        let seeds = Self.seeds(tag: pair.b.myTag)
        for _ in 0..<5_000 {
            var bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                let index = 12 + Int(rng.next() % UInt64(bytes.count - 12))
                bytes[index] = UInt8(truncatingIfNeeded: rng.next())
            }
            // Keep TSNs near the receiver's window sometimes, so DATA handling is exercised.
            if bytes[12] == 0, bytes.count >= 20, rng.next() % 2 == 0 {
                let tsn = pair.b.cumulativeTSN &+ UInt32(rng.next() % 8)
                bytes[16] = UInt8(tsn >> 24); bytes[17] = UInt8(truncatingIfNeeded: tsn >> 16)
                bytes[18] = UInt8(truncatingIfNeeded: tsn >> 8); bytes[19] = UInt8(truncatingIfNeeded: tsn)
            }
            var packet = try? SCTPPacket.parse(bytes, verifyChecksum: false)
            packet?.verificationTag = pair.b.myTag
            pair.toB(.packet(packet?.serialize() ?? bytes))
        }
        #expect(pair.b.state != .terminated || pair.eventsB.contains { if case .closed = $0 { true } else { false } })
        if pair.b.state == .established {
            // Whatever the noise did, a fresh channel still works end to end, or the core said why not.
            pair.toA(.openChannel(DataChannelOptions(label: "after", negotiatedID: 1000)))
            pair.toB(.openChannel(DataChannelOptions(label: "after", negotiatedID: 1000)))
            pair.toA(.send(channelID: 1000, .text("still alive")))
            _ = pair.run(limit: .seconds(60)) { $0.messages($0.eventsB, channel: 1000) == [.text("still alive")] }
        }
        #expect(pair.b.bufferedReceiveBytes >= 0 && pair.b.bufferedReceiveBytes <= pair.b.configuration.receiveWindow)
    }

    @Test func oversizedDCEPLabelAndUnknownPPIDAreErrorsNotCrashes() {
        let pair = BackToBack()
        #expect(pair.connect())
        var open = DCEPMessage.open(DataChannelOpen(channelType: .reliable, label: "x")).serialize()
        open[8] = 0xFF; open[9] = 0xFF  // label length 65,535
        let forged = [
            DataChunk(tsn: pair.b.cumulativeTSN &+ 1, streamID: 2, ssn: 0, ppid: PPID.dcep, userData: open),
            DataChunk(tsn: pair.b.cumulativeTSN &+ 2, streamID: 4, ssn: 0, ppid: 99, userData: [1]),
            DataChunk(tsn: pair.b.cumulativeTSN &+ 3, streamID: 6, ssn: 0, ppid: PPID.string, userData: [1]),
            DataChunk(tsn: pair.b.cumulativeTSN &+ 4, streamID: 8, ssn: 0, ppid: PPID.binary, userData: []),
        ]
        for chunk in forged {
            pair.toB(.packet(SCTPPacket(verificationTag: pair.b.myTag, chunks: [.data(chunk)]).serialize()))
        }
        #expect(pair.errors(pair.eventsB).count == 4)
        #expect(pair.b.state == .established)
    }

    @Test func wrongTagsAndChecksumsAreDropped() {
        let pair = BackToBack()
        #expect(pair.connect())
        let before = pair.b.stats.packetsDropped
        pair.toB(.packet(SCTPPacket(verificationTag: pair.b.myTag &+ 1, chunks: [.abort(AbortChunk())]).serialize()))
        var bad = SCTPPacket(verificationTag: pair.b.myTag, chunks: [.abort(AbortChunk())]).serialize()
        bad[8] ^= 1
        pair.toB(.packet(bad))
        #expect(pair.b.state == .established)
        #expect(pair.b.stats.packetsDropped == before + 2)
        // The right tag does abort.
        pair.toB(.packet(SCTPPacket(verificationTag: pair.b.myTag, chunks: [.abort(AbortChunk())]).serialize()))
        #expect(pair.b.state == .terminated)
    }
}
