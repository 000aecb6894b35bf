import Testing
@testable import SCTP

@Suite struct CRC32cTests {
    /// RFC 9260 Appendix B / RFC 3720 B.4 check values.
    @Test func knownVectors() {
        #expect(CRC32c.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32c.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32c.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32c.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32c.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }
}

func hex(_ string: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = string.startIndex
    while index < string.endIndex {
        let next = string.index(index, offsetBy: 2)
        bytes.append(UInt8(string[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

func chunkBytes(_ chunk: SCTPChunk) -> [UInt8] {
    Array(SCTPPacket(verificationTag: 0, chunks: [chunk]).serialize().dropFirst(12))
}

/// Byte-exact examples: the expected bytes were produced by aiortc 1.16's `rtcsctptransport`
/// (an independent implementation) from the same field values.
@Suite struct ChunkWireTests {
    @Test func initPacketMatchesAiortc() throws {
        let expected = hex("1388138800000000c3ea876c0100001e1122334400020000ffffffff55667788c00000048008000682c00000")
        let initChunk = InitChunk(initiateTag: 0x1122_3344, advertisedReceiverWindow: 131_072, outboundStreams: 65535,
                                  inboundStreams: 65535, initialTSN: 0x5566_7788, parameters: SCTPAssociation.extensionParameters)
        let packet = SCTPPacket(verificationTag: 0, chunks: [.initiation(initChunk)])
        #expect(packet.serialize() == expected)
        let parsed = try SCTPPacket.parse(expected)
        #expect(parsed == packet)
        guard case .initiation(let chunk) = parsed.chunks[0] else { Issue.record("not INIT"); return }
        #expect(chunk.supportsForwardTSN && chunk.supportsReconfig)
    }

    @Test func dataMatchesAiortc() throws {
        let expected = hex("0003001501020304000100020000003368656c6c6f000000")
        let data = DataChunk(tsn: 0x0102_0304, streamID: 1, ssn: 2, ppid: 51, userData: Array("hello".utf8))
        #expect(chunkBytes(.data(data)) == expected)
        let packet = try SCTPPacket.parse(SCTPPacket(verificationTag: 7, chunks: [.data(data)]).serialize())
        #expect(packet.chunks == [.data(data)])
    }

    @Test func sackMatchesAiortc() throws {
        let expected = hex("0300001c000000640002000000020001000200030005000500000063")
        let sack = SackChunk(cumulativeTSNAck: 100, advertisedReceiverWindow: 131_072,
                             gapBlocks: [.init(start: 2, end: 3), .init(start: 5, end: 5)], duplicateTSNs: [99])
        #expect(chunkBytes(.sack(sack)) == expected)
        #expect(try SCTPPacket.parse(SCTPPacket(verificationTag: 1, chunks: [.sack(sack)]).serialize()).chunks == [.sack(sack)])
    }

    @Test func forwardTSNMatchesAiortc() throws {
        let expected = hex("c000000c000000c800010007")
        let forward = ForwardTSNChunk(newCumulativeTSN: 200, skipped: [.init(streamID: 1, ssn: 7)])
        #expect(chunkBytes(.forwardTSN(forward)) == expected)
    }

    @Test func reconfigMatchesAiortc() throws {
        let expected = hex("82000018000d001400000007000000060000009900010003")
        let reconfig = ReconfigChunk(parameters: [.outgoingReset(requestSequence: 7, responseSequence: 6, senderLastTSN: 0x99, streams: [1, 3])])
        #expect(chunkBytes(.reconfig(reconfig)) == expected)
        let parsed = try SCTPPacket.parse(SCTPPacket(verificationTag: 1, chunks: [.reconfig(reconfig)]).serialize())
        #expect(parsed.chunks == [.reconfig(reconfig)])
    }

    @Test func everyChunkRoundTrips() throws {
        let chunks: [SCTPChunk] = [
            .initiationAck(InitChunk(initiateTag: 9, advertisedReceiverWindow: 1, outboundStreams: 2, inboundStreams: 3, initialTSN: 4,
                                     parameters: [SCTPParameter(type: 7, value: [1, 2, 3, 4, 5])])),
            .heartbeat(HeartbeatChunk(info: [1, 2, 3])), .heartbeatAck(HeartbeatChunk(info: [9])),
            .abort(AbortChunk(tagReflected: true, causes: [SCTPParameter(type: 12, value: Array("bye".utf8))])),
            .shutdown(ShutdownChunk(cumulativeTSNAck: 77)), .shutdownAck,
            .error(ErrorChunk(causes: [SCTPParameter(type: 6, value: [0xAA, 0, 0, 4])])),
            .cookieEcho(CookieEchoChunk(cookie: [1, 2, 3, 4, 5, 6, 7])), .cookieAck, .shutdownComplete(tagReflected: true),
            .reconfig(ReconfigChunk(parameters: [.response(responseSequence: 3, result: .successPerformed),
                                                 .incomingReset(requestSequence: 4, streams: [5])])),
            .data(DataChunk(tsn: 1, streamID: 2, ssn: 3, ppid: 53, userData: [1, 2, 3], unordered: true, beginning: false, ending: true)),
            .unknown(type: 0x85, flags: 3, value: [1, 2, 3, 4]),
        ]
        for chunk in chunks {
            let bytes = SCTPPacket(verificationTag: 0xDEAD_BEEF, chunks: [chunk, .cookieAck]).serialize()
            #expect(try SCTPPacket.parse(bytes).chunks == [chunk, .cookieAck], "\(chunk)")
        }
    }

    @Test func checksumAndLengthsAreChecked() {
        var bytes = SCTPPacket(verificationTag: 1, chunks: [.cookieAck]).serialize()
        bytes[12] = 11
        bytes[13] = 1
        #expect(throws: SCTPWireError.badChecksum) { try SCTPPacket.parse(bytes) }
        var long = SCTPPacket(verificationTag: 1, chunks: [.shutdown(ShutdownChunk(cumulativeTSNAck: 1))]).serialize()
        long[15] = 200  // chunk length beyond the packet
        #expect(throws: SCTPWireError.badLength("chunk type 7")) { try SCTPPacket.parse(long, verifyChecksum: false) }
        let sack = SCTPPacket(verificationTag: 1, chunks: [.sack(SackChunk(cumulativeTSNAck: 1, advertisedReceiverWindow: 1, gapBlocks: [.init(start: 1, end: 2)]))])
        var badSack = sack.serialize()
        badSack[12 + 4 + 8 + 1] = 9  // claims nine gap blocks
        #expect(throws: SCTPWireError.badLength("SACK")) { try SCTPPacket.parse(badSack, verifyChecksum: false) }
        let many = SCTPPacket(verificationTag: 1, chunks: Array(repeating: .cookieAck, count: SCTPPacket.maxChunks + 1)).serialize()
        #expect(throws: SCTPWireError.tooManyChunks) { try SCTPPacket.parse(many) }
    }
}

@Suite struct DCEPWireTests {
    /// RFC 8832 §5.1 layout: type, channel type, priority, reliability, label length, protocol length.
    @Test func openIsByteExact() throws {
        let open = DataChannelOpen(channelType: .partialReliableRexmitUnordered, priority: 256, reliabilityParameter: 0,
                                   label: "_lossy", protocol: "")
        let bytes = DCEPMessage.open(open).serialize()
        #expect(bytes == [0x03, 0x81, 0x01, 0x00, 0, 0, 0, 0, 0, 6, 0, 0] + Array("_lossy".utf8))
        #expect(try DCEPMessage.parse(bytes) == .open(open))
        #expect(DCEPMessage.ack.serialize() == [0x02])
        #expect(try DCEPMessage.parse([0x02]) == .ack)
    }

    @Test func badMessagesAreTypedErrors() {
        #expect(throws: SCTPWireError.self) { try DCEPMessage.parse([]) }
        #expect(throws: SCTPWireError.self) { try DCEPMessage.parse([0x04]) }
        #expect(throws: SCTPWireError.self) { try DCEPMessage.parse([0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0x61]) }
        #expect(throws: SCTPWireError.self) { try DCEPMessage.parse([0x03, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }
        #expect(throws: SCTPWireError.self) { try DCEPMessage.parse([0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0xFF, 0xFE]) }
    }
}
