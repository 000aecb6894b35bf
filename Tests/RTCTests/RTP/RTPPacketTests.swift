import RTC
import TestSupport
import Testing

@Suite("RTPPacket")
struct RTPPacketTests {
    /// RFC 3550 §5.1 fixed header laid out by hand: V=2, P=0, X=0, CC=0, M=1, PT=111,
    /// seq 0x1234, timestamp 0xDEADBEEF, SSRC 0x01020304, then a 3-byte payload.
    static let minimal: [UInt8] = [0x80, 0xEF, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04, 0xAA, 0xBB, 0xCC]

    @Test func parsesTheFixedHeader() throws {
        let packet = try RTPPacket(parsing: Self.minimal)
        #expect(packet.header.marker)
        #expect(packet.header.payloadType == 111)
        #expect(packet.header.sequenceNumber == 0x1234)
        #expect(packet.header.timestamp == 0xDEAD_BEEF)
        #expect(packet.header.ssrc == 0x0102_0304)
        #expect(packet.header.csrcs.isEmpty)
        #expect(!packet.header.extensions.isPresent)
        #expect(Array(packet.payload) == [0xAA, 0xBB, 0xCC])
        #expect(try packet.serialized() == Self.minimal)
    }

    /// CC=2 with padding: P bit set, last byte counts 4 padding bytes (itself included).
    @Test func parsesCSRCsAndPadding() throws {
        let bytes: [UInt8] = [
            0xA2, 0x60, 0x00, 0x01, 0x00, 0x00, 0x03, 0xC0, 0xCA, 0xFE, 0xBA, 0xBE,
            0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,
            0x01, 0x02, 0x00, 0x00, 0x00, 0x04,
        ]
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.header.csrcs == [0x1111_1111, 0x2222_2222])
        #expect(packet.header.payloadType == 96)
        #expect(!packet.header.marker)
        #expect(packet.header.timestamp == 960)
        #expect(packet.paddingLength == 4)
        #expect(Array(packet.payload) == [0x01, 0x02])
        #expect(try packet.serialized() == bytes)
    }

    /// RFC 8285 §4.2 one-byte block: MID "0" (ID 1), audio level V=1 level 42 (ID 2), one pad byte.
    @Test func parsesOneByteExtensions() throws {
        let bytes: [UInt8] = [
            0x90, 0x6F, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
            0xBE, 0xDE, 0x00, 0x01, 0x10, 0x30, 0x20, 0xAA,
            0xFC,
        ]
        let packet = try RTPPacket(parsing: bytes)
        let map = RTPHeaderExtensionMap([(1, RTPHeaderExtensionMap.midURI), (2, RTPHeaderExtensionMap.audioLevelURI)])
        #expect(packet.header.extensions.form == .oneByte)
        #expect(packet.header.extensions.mid(using: map) == "0")
        #expect(packet.header.extensions.hasMID(Array("0".utf8), using: map))
        #expect(packet.header.extensions.audioLevel(using: map) == RTPAudioLevel(voiceActivity: true, level: 42))
        #expect(Array(packet.payload) == [0xFC])
        #expect(try packet.serialized() == bytes)
    }

    /// RFC 8285 §4.3 two-byte block (profile 0x1000): ID 200 with 0 bytes, padding, ID 3 with 3 bytes.
    @Test func parsesTwoByteExtensions() throws {
        let bytes: [UInt8] = [
            0x90, 0x6F, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
            0x10, 0x00, 0x00, 0x02, 0xC8, 0x00, 0x00, 0x03, 0x03, 0x61, 0x62, 0x63,
        ]
        let packet = try RTPPacket(parsing: bytes)
        let elements = Array(packet.header.extensions)
        #expect(elements == [
            RTPHeaderExtensionElement(id: 200, data: []), RTPHeaderExtensionElement(id: 3, data: [0x61, 0x62, 0x63]),
        ])
        #expect(packet.payload.isEmpty)
    }

    @Test(arguments: [RTPHeaderExtensionForm.oneByte, .twoByte])
    func extensionsRoundTrip(form: RTPHeaderExtensionForm) throws {
        let map = RTPHeaderExtensionMap([
            (1, RTPHeaderExtensionMap.midURI), (2, RTPHeaderExtensionMap.audioLevelURI),
            (3, RTPHeaderExtensionMap.absoluteCaptureTimeURI),
        ])
        let capture = RTPAbsoluteCaptureTime(captureTimestamp: 0x1122_3344_5566_7788, estimatedCaptureClockOffset: -5)
        let elements = try [
            #require(RTPHeaderExtensionElement.mid("audio", using: map)),
            #require(RTPHeaderExtensionElement.audioLevel(RTPAudioLevel(voiceActivity: false, level: 127), using: map)),
            #require(RTPHeaderExtensionElement.absoluteCaptureTime(capture, using: map)),
        ]
        let extensions = try RTPHeaderExtensions(elements: elements, form: form)
        let header = RTPHeader(
            payloadType: 111, sequenceNumber: 65535, timestamp: 1, ssrc: 7, csrcs: [9], extensions: extensions)
        let original = RTPPacket(header: header, payload: [1, 2, 3, 4, 5], paddingLength: 3)
        let bytes = try original.serialized()
        #expect(bytes.count % 4 == 0)
        let parsed = try RTPPacket(parsing: bytes)
        #expect(parsed == original)
        #expect(parsed.header.extensions.form == form)
        #expect(parsed.header.extensions.mid(using: map) == "audio")
        #expect(parsed.header.extensions.audioLevel(using: map) == RTPAudioLevel(voiceActivity: false, level: 127))
        #expect(parsed.header.extensions.absoluteCaptureTime(using: map) == capture)
    }

    @Test func oneByteFormRejectsWhatDoesNotFit() {
        #expect(throws: RTCError.self) {
            try RTPHeaderExtensions(elements: [RTPHeaderExtensionElement(id: 15, data: [1])], form: .oneByte)
        }
        let long = RTPHeaderExtensionElement(id: 1, data: Array(repeating: 0, count: 17))
        #expect(RTPHeaderExtensionForm.fitting([long]) == .twoByte)
    }

    @Test func serializesIntoAReservedBufferByAppending() throws {
        let packet = try RTPPacket(parsing: Self.minimal)
        var buffer: [UInt8] = [0xFF]
        buffer.reserveCapacity(64)
        try packet.serialize(into: &buffer)
        #expect(buffer == [0xFF] + Self.minimal)
    }

    @Test(arguments: [
        ("short", [0x80, 0x6F, 0x00]),
        ("version 1", [0x40, 0x6F, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]),
        ("csrc truncated", [0x81, 0x6F, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]),
        ("extension header truncated", [0x90, 0x6F, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE]),
        ("extension body truncated", [0x90, 0x6F, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 2, 0x10, 0, 0, 0]),
        ("element overruns block", [0x90, 0x6F, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 0x13, 0, 0, 0]),
        ("padding zero", [0xA0, 0x6F, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
        ("padding too long", [0xA0, 0x6F, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 9]),
    ] as [(String, [UInt8])])
    func rejectsMalformed(name: String, bytes: [UInt8]) {
        let error = #expect(throws: RTCError.self) { try RTPPacket(parsing: bytes) }
        #expect(error?.code == .malformedPacket)
    }

    /// Random and truncated datagrams throw or parse; they never trap, and what parses re-serializes.
    @Test func randomAndTruncatedBytesNeverTrap() throws {
        var generator = SplitMix64(seed: 0x5EED_0F_47B)
        let valid = try RTPPacket(
            header: RTPHeader(payloadType: 111, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [4],
                              extensions: RTPHeaderExtensions(elements: [RTPHeaderExtensionElement(id: 1, data: [1, 2])])),
            payload: [9, 9, 9], paddingLength: 2
        ).serialized()
        var parsedCount = 0
        var failures: [String] = []
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = Array(valid.prefix(Int.random(in: 0...valid.count, using: &generator)))
                if !bytes.isEmpty, Bool.random(using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            } else {
                bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if !bytes.isEmpty { bytes[0] = 0x80 | (bytes[0] & 0x3F) }
            }
            let packet: RTPPacket
            do {
                packet = try RTPPacket(parsing: bytes[...])
            } catch {
                if error.code != .malformedPacket { failures.append("\(bytes): threw \(error)") }
                continue
            }
            parsedCount += 1
            _ = Array(packet.header.extensions)
            do {
                let again = try RTPPacket(parsing: try packet.serialized())
                if again != packet { failures.append("\(bytes): re-serialized as \(again), parsed as \(packet)") }
            } catch {
                failures.append("\(bytes): parsed, then \(error) re-serializing")
            }
        }
        #expect(parsedCount > 100)
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(3))")
    }
}

@Suite("MultiplexedPacketKind")
struct MultiplexedPacketKindTests {
    @Test func classifiesByFirstAndSecondByte() {
        #expect(MultiplexedPacketKind(firstByte: 0x00, secondByte: 0x01) == .stun)
        #expect(MultiplexedPacketKind(firstByte: 0x03, secondByte: nil) == .stun)
        #expect(MultiplexedPacketKind(firstByte: 22, secondByte: 0xFE) == .dtls)
        #expect(MultiplexedPacketKind(firstByte: 63, secondByte: 0) == .dtls)
        #expect(MultiplexedPacketKind(firstByte: 0x80, secondByte: 111) == .rtp)
        #expect(MultiplexedPacketKind(firstByte: 0x80, secondByte: 0x80 | 111) == .rtp)
        #expect(MultiplexedPacketKind(firstByte: 0x81, secondByte: 200) == .rtcp)
        #expect(MultiplexedPacketKind(firstByte: 0x81, secondByte: 205) == .rtcp)
        #expect(MultiplexedPacketKind(firstByte: 0x80, secondByte: 223) == .rtcp)
        #expect(MultiplexedPacketKind(firstByte: 0x80, secondByte: 224) == .rtp)
        #expect(MultiplexedPacketKind(firstByte: 0x80, secondByte: nil) == .unknown)
        #expect(MultiplexedPacketKind(firstByte: 64, secondByte: 0) == .unknown)
        #expect(MultiplexedPacketKind(classifying: [UInt8]()[...]) == .unknown)
        let rtcp: [UInt8] = [0x80, 201, 0, 1]
        #expect(MultiplexedPacketKind(classifying: rtcp[...]) == .rtcp)
        #expect(rtcp.withUnsafeBytes { MultiplexedPacketKind(classifying: $0) } == .rtcp)
    }
}
