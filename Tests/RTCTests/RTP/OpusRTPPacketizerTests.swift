import RTC
import Testing

@Suite("OpusRTPPacketizer")
struct OpusRTPPacketizerTests {
    static let map = RTPHeaderExtensionMap([(4, RTPHeaderExtensionMap.midURI), (1, RTPHeaderExtensionMap.audioLevelURI)])
    static let frame: [UInt8] = Array(repeating: 0x42, count: 60)

    @Test func timestampsAdvanceBySamplesAndSequenceWraps() throws {
        var packetizer = OpusRTPPacketizer(
            ssrc: 0xABCD, payloadType: 111, initialSequenceNumber: 65534, initialTimestamp: UInt32.max - 959)
        let packets = try (0..<4).map { index in
            try RTPPacket(parsing: packetizer.packetize(Self.frame, samples: index == 2 ? 480 : 960))
        }
        #expect(packets.map(\.header.sequenceNumber) == [65534, 65535, 0, 1])
        #expect(packets.map(\.header.timestamp) == [UInt32.max - 959, 0, 960, 1440])
        #expect(packets.allSatisfy { $0.header.ssrc == 0xABCD && $0.header.payloadType == 111 })
        #expect(packets.map(\.header.marker) == [true, false, false, false])
        #expect(packets.allSatisfy { !$0.header.extensions.isPresent && Array($0.payload) == Self.frame })
    }

    @Test func markerFollowsSilenceGapsAndDTX() throws {
        var packetizer = OpusRTPPacketizer(ssrc: 1, payloadType: 111, initialSequenceNumber: 0, initialTimestamp: 0)
        var markers: [Bool] = []
        var timestamps: [UInt32] = []
        func send(_ frame: [UInt8]) throws {
            let packet = try RTPPacket(parsing: packetizer.packetize(frame))
            markers.append(packet.header.marker)
            timestamps.append(packet.header.timestamp)
        }
        try send(Self.frame)
        try send(Self.frame)
        packetizer.skip(samples: 960)
        packetizer.skip(samples: 960)
        try send(Self.frame)  // resumes after a 40 ms gap
        try send([0xF8])  // DTX frame: no marker
        try send(Self.frame)  // speech after DTX
        try send(Self.frame)
        #expect(markers == [true, false, true, false, true, false])
        #expect(timestamps == [0, 960, 3840, 4800, 5760, 6720])
    }

    @Test func writesMIDAndAudioLevelInOneByteForm() throws {
        var packetizer = OpusRTPPacketizer(
            ssrc: 5, payloadType: 109, mid: "0", extensionMap: Self.map, initialSequenceNumber: 10, initialTimestamp: 0)
        let bytes = packetizer.packetize(Self.frame, audioLevel: RTPAudioLevel(voiceActivity: true, level: 30))
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.header.extensions.form == .oneByte)
        #expect(packet.header.extensions.mid(using: Self.map) == "0")
        #expect(packet.header.extensions.audioLevel(using: Self.map) == RTPAudioLevel(voiceActivity: true, level: 30))
        #expect(Array(packet.payload) == Self.frame)
        // 12 header + 4 block header + (2 mid + 2 level) = 20, then the payload.
        #expect(bytes.count == 20 + Self.frame.count)
        #expect(Array(bytes[12..<20]) == [0xBE, 0xDE, 0x00, 0x01, 0x40, 0x30, 0x10, 0x80 | 30])
    }

    @Test func appendsIntoTheCallersBuffer() throws {
        var packetizer = OpusRTPPacketizer(
            ssrc: 5, payloadType: 111, mid: "audio", extensionMap: Self.map, initialSequenceNumber: 1, initialTimestamp: 0)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1500)
        let written = packetizer.packetize(Self.frame[...], into: &buffer)
        #expect(written.sequenceNumber == 1 && written.timestamp == 0 && written.marker)
        let packet = try RTPPacket(parsing: buffer)
        #expect(packet.header.extensions.mid(using: Self.map) == "audio")
        #expect(packet.header.extensions.audioLevel(using: Self.map) == nil)
        #expect(packetizer.nextSequenceNumber == 2 && packetizer.nextTimestamp == 960)
    }
}
