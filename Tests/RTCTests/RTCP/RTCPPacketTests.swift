import RTC
import TestSupport
import Testing

@Suite("RTCPPacket")
struct RTCPPacketTests {
    static let block = RTCPReportBlock(
        ssrc: 0xAABB_CCDD, fractionLost: 25, cumulativeLost: -1, extendedHighestSequenceNumber: 0x0001_0005,
        jitter: 58, lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 32768)

    /// RFC 3550 §6.4.2 RR with one report block, laid out by hand (cumulative lost −1 is 0xFFFFFF).
    static let receiverReportBytes: [UInt8] = [
        0x81, 201, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01,
        0xAA, 0xBB, 0xCC, 0xDD, 25, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 0x00, 0x05,
        0x00, 0x00, 0x00, 58, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x80, 0x00,
    ]

    @Test func parsesAHandMadeReceiverReport() throws {
        let packets = try RTCPPacket.parseCompound(Self.receiverReportBytes)
        #expect(packets == [.receiverReport(RTCPReceiverReport(ssrc: 1, reportBlocks: [Self.block]))])
        #expect(RTCPPacket.serializeCompound(packets) == Self.receiverReportBytes)
    }

    /// RFC 4585 §6.2.1 generic NACK by hand: PID 100, BLP 0b101 → 100, 101, 103 lost.
    @Test func parsesAHandMadeGenericNACK() throws {
        let bytes: [UInt8] = [
            0x81, 205, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 100, 0x00, 0x05,
        ]
        let packets = try RTCPPacket.parseCompound(bytes)
        guard case .genericNACK(let nack) = try #require(packets.first) else {
            Issue.record("expected a NACK, got \(packets)")
            return
        }
        #expect(nack.senderSSRC == 2 && nack.mediaSSRC == 3)
        #expect(nack.lostSequenceNumbers == [100, 101, 103])
        let rebuilt = RTCPGenericNACK(senderSSRC: 2, mediaSSRC: 3, lostSequenceNumbers: [100, 101, 103])
        #expect(rebuilt == nack)
        #expect(RTCPPacket.serializeCompound([.genericNACK(rebuilt)]) == bytes)
        let wrapping = RTCPGenericNACK(senderSSRC: 2, mediaSSRC: 3, lostSequenceNumbers: [65535, 0, 15, 40])
        #expect(wrapping.entries.count == 2)
        #expect(wrapping.lostSequenceNumbers == [65535, 0, 15, 40])
    }

    @Test func compoundRoundTrip() throws {
        let packets: [RTCPPacket] = [
            .senderReport(RTCPSenderReport(
                ssrc: 0x1111, ntpTimestamp: NTPTimestamp(seconds: 3_900_000_000, fraction: 0x8000_0000),
                rtpTimestamp: 123_456, packetCount: 50, octetCount: 4000, reportBlocks: [Self.block, Self.block])),
            .sourceDescription(RTCPSourceDescription(chunks: [
                .init(ssrc: 0x1111, cname: "steadfast-agent"), .init(ssrc: 0x2222, cname: "abc"),
            ])),
            .receiverReport(RTCPReceiverReport(ssrc: 0x1111)),
            .goodbye(RTCPGoodbye(ssrcs: [0x1111, 0x3333], reason: "shutdown")),
            .goodbye(RTCPGoodbye(ssrcs: [0x4444])),
        ]
        let bytes = RTCPPacket.serializeCompound(packets)
        #expect(bytes.count % 4 == 0)
        #expect(try RTCPPacket.parseCompound(bytes) == packets)
        #expect(MultiplexedPacketKind(classifying: bytes[...]) == .rtcp)
    }

    @Test func skipsUnknownPacketTypesAndHonoursPadding() throws {
        // PLI (PT 206 FMT 1), then APP (PT 204), then a padded BYE.
        let bytes: [UInt8] = [
            0x81, 206, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2,
            0x80, 204, 0x00, 0x02, 0, 0, 0, 1, 0x41, 0x42, 0x43, 0x44,
            0xA1, 203, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 4,
        ]
        #expect(try RTCPPacket.parseCompound(bytes) == [.goodbye(RTCPGoodbye(ssrcs: [9]))])
    }

    @Test(arguments: [
        ("empty", []),
        ("short header", [0x80, 200]),
        ("version 1", [0x40, 201, 0, 1, 0, 0, 0, 1]),
        ("length past end", [0x80, 201, 0, 2, 0, 0, 0, 1]),
        ("blocks past end", [0x81, 201, 0, 1, 0, 0, 0, 1]),
        ("short SR", [0x80, 200, 0, 1, 0, 0, 0, 1]),
        ("SDES item overruns", [0x81, 202, 0, 2, 0, 0, 0, 1, 1, 9, 0x41, 0]),
        ("BYE reason overruns", [0x81, 203, 0, 2, 0, 0, 0, 1, 9, 0x41, 0x41, 0x41]),
        ("padding too big", [0xA0, 201, 0, 1, 0, 0, 0, 9]),
    ] as [(String, [UInt8])])
    func rejectsMalformed(name: String, bytes: [UInt8]) {
        #expect(throws: RTCError.self) { try RTCPPacket.parseCompound(bytes) }
    }

    @Test func randomAndTruncatedBytesNeverTrap() {
        var generator = SplitMix64(seed: 0xBADC_0FFE)
        let valid = RTCPPacket.serializeCompound([
            .senderReport(RTCPSenderReport(
                ssrc: 1, ntpTimestamp: NTPTimestamp(raw: 5), rtpTimestamp: 2, packetCount: 3, octetCount: 4,
                reportBlocks: [Self.block])),
            .sourceDescription(RTCPSourceDescription(chunks: [.init(ssrc: 1, cname: "x")])),
            .goodbye(RTCPGoodbye(ssrcs: [1], reason: "r")),
        ])
        var parsed = 0
        for round in 0..<20_000 {
            var bytes = Array(valid.prefix(Int.random(in: 0...valid.count, using: &generator)))
            if round % 2 == 1, !bytes.isEmpty {
                for _ in 0..<3 {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            if (try? RTCPPacket.parseCompound(bytes)) != nil { parsed += 1 }
        }
        #expect(parsed > 10)
    }

    @Test func ntpTimestampArithmetic() {
        let base = NTPTimestamp(seconds: 100, fraction: 0)
        #expect(base.adding(.milliseconds(1500)) == NTPTimestamp(seconds: 101, fraction: 0x8000_0000))
        #expect(base.adding(.milliseconds(-500)) == NTPTimestamp(seconds: 99, fraction: 0x8000_0000))
        #expect(NTPTimestamp(seconds: 0x1234_5678, fraction: 0x9ABC_DEF0).middle32 == 0x5678_9ABC)
        #expect(NTPTimestamp(unixSeconds: 0) == NTPTimestamp(seconds: 2_208_988_800, fraction: 0))
    }
}
