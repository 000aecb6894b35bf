import Audio
import Foundation
import Testing
import TestSupport

@Suite("WAV files")
struct WAVFileTests {
    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-wav-\(UUID().uuidString)-\(name)")
    }

    /// Builds a WAV by hand so the reader is tested against bytes it did not write itself.
    static func wav(formatTag: UInt16 = 1, channels: UInt16 = 1, rate: UInt32 = 16_000, bits: UInt16 = 16,
                    extraChunksBeforeData: [(String, [UInt8])] = [], extensibleSubformat: UInt16? = nil,
                    data: [UInt8], declaredDataSize: UInt32? = nil) -> [UInt8] {
        var fmt: [UInt8] = []
        let blockAlign = channels * ((bits + 7) / 8)
        fmt.le(extensibleSubformat == nil ? formatTag : 0xFFFE)
        fmt.le(channels); fmt.le(rate); fmt.le(rate * UInt32(blockAlign)); fmt.le(blockAlign); fmt.le(bits)
        if let sub = extensibleSubformat {
            fmt.le(UInt16(22)); fmt.le(bits); fmt.le(UInt32(channels == 1 ? 4 : 3))
            fmt.le(sub)
            fmt += [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        }
        var body: [UInt8] = Array("WAVE".utf8)
        body += chunk("fmt ", fmt)
        for (id, content) in extraChunksBeforeData { body += chunk(id, content) }
        body += Array("data".utf8)
        body.le(declaredDataSize ?? UInt32(data.count))
        body += data
        return Array("RIFF".utf8) + le32(UInt32(body.count)) + body
    }

    static func chunk(_ id: String, _ content: [UInt8]) -> [UInt8] {
        var bytes = Array(id.utf8) + le32(UInt32(content.count)) + content
        if content.count % 2 == 1 { bytes.append(0) }
        return bytes
    }

    static func le32(_ value: UInt32) -> [UInt8] { var b: [UInt8] = []; b.le(value); return b }

    @Test func pcm16RoundTripsThroughAFile() throws {
        let mono = TestSignals.tone(hertz: 440, milliseconds: 100, rate: 22_050)
        let stereo = AudioFrame(samples: (0..<2_000).map { Int16(truncatingIfNeeded: $0 * 37) }, sampleRate: 44_100, channels: 2)
        for frame in [mono, stereo, AudioFrame.silence(milliseconds: 0)] {
            let url = Self.temporaryURL("roundtrip.wav")
            defer { try? FileManager.default.removeItem(at: url) }
            try WAVFile.write(frame, to: url)
            #expect(try WAVFile.read(url: url) == frame)
            #expect(try WAVFile.read(path: url.path) == frame)
        }
        #expect(WAVFile.encode(mono).count == 44 + mono.samples.count * 2)
    }

    @Test func skipsListAndOddSizedChunksBeforeAndAfterData() throws {
        let samples: [Int16] = [0, 1000, -1000, 32767, -32768]
        var data: [UInt8] = []
        for sample in samples { data.le(UInt16(bitPattern: sample)) }
        var bytes = Self.wav(extraChunksBeforeData: [("LIST", Array("INFOISFT\u{5}\0\0\0Lavf\0".utf8)), ("odd ", [1, 2, 3])],
                             data: data)
        bytes += Self.chunk("LIST", Array("trailing metadata".utf8))
        let frame = try WAVFile.decode(bytes)
        #expect(frame.samples == samples)
        #expect(frame.sampleRate == 16_000)
    }

    @Test func convertsEightBitTwentyFourBitAndFloatToInt16() throws {
        let eight = try WAVFile.decode(Self.wav(bits: 8, data: [0, 128, 255]))
        #expect(eight.samples == [-32768, 0, 32512])

        let twentyFour = try WAVFile.decode(Self.wav(bits: 24, data: [0x00, 0x00, 0x40, 0xFF, 0xFF, 0xFF]))
        #expect(twentyFour.samples == [16384, -1])

        var floats: [UInt8] = []
        for value: Float in [0, 0.5, -1, 2, -.infinity, .nan] { floats.le(value.bitPattern) }
        let plainFloat = try WAVFile.decode(Self.wav(formatTag: 3, bits: 32, data: floats))
        #expect(Array(plainFloat.samples[0..<5]) == [0, 16384, -32768, 32767, -32768])
        #expect(plainFloat.samples.count == 6, "NaN becomes some sample, not a trap")
        let extensibleFloat = try WAVFile.decode(Self.wav(bits: 32, extensibleSubformat: 3, data: floats))
        #expect(extensibleFloat.samples == plainFloat.samples)
    }

    @Test func readsWaveFormatExtensiblePCMStereo() throws {
        var data: [UInt8] = []
        for sample: Int16 in [100, -100, 200, -200] { data.le(UInt16(bitPattern: sample)) }
        let frame = try WAVFile.decode(Self.wav(channels: 2, rate: 48_000, extensibleSubformat: 1, data: data))
        #expect(frame.channels == 2)
        #expect(frame.sampleRate == 48_000)
        #expect(frame.samples == [100, -100, 200, -200])
    }

    @Test func streamingPlaceholderSizeReadsToTheEndAndAPartialSampleIsDropped() throws {
        let frame = try WAVFile.decode(Self.wav(data: [1, 0, 2, 0, 3], declaredDataSize: 0xFFFF_FFFF))
        #expect(frame.samples == [1, 2])
    }

    @Test func readsWhatEspeakWrites() async throws {
        let url = Self.temporaryURL("espeak.wav")
        defer { try? FileManager.default.removeItem(at: url) }
        try await SpeechFixtures.speak("testing one two three", to: url)
        let frame = try WAVFile.read(url: url)
        #expect(frame.sampleRate == 22_050)
        #expect(frame.channels == 1)
        #expect(frame.milliseconds > 500)
        #expect(frame.levelDBFS > -40)
    }

    static let malformed: [(String, [UInt8])] = [
        ("empty", []),
        ("not RIFF", Array("JUNKxxxxWAVEfmt ".utf8)),
        ("RIFF but AVI", Array("RIFF\u{4}\0\0\0AVI ".utf8)),
        ("big-endian RIFX", Array("RIFX\u{4}\0\0\0WAVE".utf8)),
        ("no chunks", Array("RIFF\u{4}\0\0\0WAVE".utf8)),
        ("data before any fmt, no fmt", Array("RIFF\u{c}\0\0\0WAVEdata\0\0\0\0".utf8)),
        ("fmt cut short", Array(wav(data: [0, 0]).prefix(30))),
        ("data cut short", Array(wav(data: [UInt8](repeating: 0, count: 400)).prefix(100))),
        ("header cut mid-chunk", Array(wav(data: [0, 0]).prefix(40))),
        ("mu-law", wav(formatTag: 7, bits: 8, data: [0, 0])),
        ("12 channels", wav(channels: 12, data: [UInt8](repeating: 0, count: 24))),
        ("zero channels", wav(channels: 0, data: [0, 0])),
        ("zero rate", wav(rate: 0, data: [0, 0])),
        ("48-bit PCM", wav(bits: 48, data: [UInt8](repeating: 0, count: 12))),
        ("16-bit float", wav(formatTag: 3, bits: 16, data: [0, 0])),
        ("unknown extensible GUID", wav(bits: 16, extensibleSubformat: 0x55, data: [0, 0]).enumerated().map {
            $0.offset == 50 ? 0xEE : $0.element
        }),
    ]

    @Test(arguments: WAVFileTests.malformed.map(\.0))
    func malformedFilesAreClearErrors(name: String) throws {
        let bytes = try #require(Self.malformed.first { $0.0 == name }?.1)
        #expect(throws: AudioError.self) { try WAVFile.decode(bytes) }
    }

    @Test func missingFileIsAnAudioError() {
        #expect(throws: AudioError.self) { try WAVFile.read(path: "/nonexistent/steadfast/none.wav") }
        #expect(throws: AudioError.self) { try WAVFile.write(.silence(milliseconds: 10), toPath: "/nonexistent/dir/x.wav") }
    }

    @Test func randomTruncationsAndBitFlipsNeverTrap() throws {
        let good = WAVFile.encode(TestSignals.tone(hertz: 300, milliseconds: 20, rate: 8_000))
        for length in 0..<good.count {
            _ = try? WAVFile.decode(Array(good.prefix(length)))
        }
        var random = SplitMix64(seed: 9)
        for _ in 0..<2_000 {
            var bytes = good
            for _ in 0..<3 { bytes[Int(random.next() % UInt64(60))] = UInt8(truncatingIfNeeded: random.next()) }
            if let frame = try? WAVFile.decode(bytes) { #expect(frame.channels > 0 && frame.sampleRate > 0) }
        }
    }
}

extension [UInt8] {
    mutating func le<T: FixedWidthInteger>(_ value: T) {
        var little = value.littleEndian
        Swift.withUnsafeBytes(of: &little) { append(contentsOf: $0) }
    }
}
