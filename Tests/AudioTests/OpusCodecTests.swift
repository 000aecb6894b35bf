import Audio
import Testing
import TestSupport

@Suite("Opus encoder and decoder")
struct OpusCodecTests {
    /// Encodes consecutive 20 ms frames of `signal` and returns the packets.
    static func encode(_ signal: AudioFrame, with encoder: OpusEncoder) throws -> [[UInt8]] {
        try signal.chunked(milliseconds: encoder.frameMilliseconds).map { try encoder.encode($0) }
    }

    static func decodeAll(_ packets: [[UInt8]], channels: Int = 1) throws -> AudioFrame {
        let decoder = try OpusDecoder(channels: channels)
        return try #require(AudioFrame.joined(try packets.map { try decoder.decode($0) }))
    }

    @Test func toneSurvivesARoundTripWithItsPitch() throws {
        let input = TestSignals.tone(hertz: 440, milliseconds: 1000)
        let encoder = try OpusEncoder()
        let packets = try Self.encode(input, with: encoder)
        #expect(packets.count == 50)
        #expect(packets.allSatisfy { $0.count > 0 && $0.count < 400 })
        let output = try Self.decodeAll(packets)
        #expect(output.samples.count == input.samples.count)
        // Opus delays by its look-ahead (6.5 ms at 48 kHz); search lags up to 20 ms.
        let match = TestSignals.bestCorrelation(input.samples, output.samples, maxLag: 960)
        #expect(match.correlation > 0.95, "correlation \(match.correlation) at lag \(match.lag)")
        #expect((200...500).contains(match.lag), "codec delay \(match.lag) samples")
        let settled = AudioFrame(samples: Array(output.samples[4_800...]))
        #expect(abs(TestSignals.zeroCrossingFrequency(settled) - 440) < 5)
        #expect(abs(settled.levelDBFS - input.levelDBFS) < 1.5)
    }

    @Test func stereoRoundTripKeepsBothChannels() throws {
        let left = TestSignals.tone(hertz: 440, milliseconds: 400).samples
        let right = TestSignals.tone(hertz: 660, milliseconds: 400, amplitude: 0.3).samples
        let interleaved = zip(left, right).flatMap { [$0, $1] }
        let input = AudioFrame(samples: interleaved, channels: 2)
        let encoder = try OpusEncoder(configuration: .init(channels: 2, bitrate: 64_000))
        let output = try Self.decodeAll(try Self.encode(input, with: encoder), channels: 2)
        #expect(output.channels == 2)
        let decodedRight = stride(from: 1, to: output.samples.count, by: 2).map { output.samples[$0] }
        let match = TestSignals.bestCorrelation(right, decodedRight, maxLag: 960)
        #expect(match.correlation > 0.9)
    }

    @Test func higherBitrateMakesLargerPackets() throws {
        // Noise has detail at every frequency, so a VBR encoder spends whatever budget it is given.
        let noise = AudioFrame(floatSamples: TestSignals.whiteNoise(count: 48_000, rms: 0.2, seed: 7))
        func averageSize(_ bitrate: Int) throws -> Double {
            let encoder = try OpusEncoder(configuration: .init(bitrate: bitrate))
            #expect(encoder.bitrate == bitrate)
            let packets = try Self.encode(noise, with: encoder)
            return Double(packets.reduce(0) { $0 + $1.count }) / Double(packets.count)
        }
        let low = try averageSize(12_000), high = try averageSize(64_000)
        #expect(high > low * 3, "12 kbps → \(low) B, 64 kbps → \(high) B")
        // 64 kbps at 50 packets/s is 160 bytes a packet; VBR stays within a factor of the target.
        #expect((100...240).contains(high))

        // Changing the bitrate mid-stream takes effect on the following packets.
        let encoder = try OpusEncoder(configuration: .init(bitrate: 12_000))
        let frames = noise.chunked(milliseconds: 20)
        let before = try frames[0..<20].map { try encoder.encode($0).count }.reduce(0, +)
        try encoder.setBitrate(64_000)
        let after = try frames[20..<40].map { try encoder.encode($0).count }.reduce(0, +)
        #expect(after > before * 3)
    }

    @Test func settingsAreAppliedAndRangeChecked() throws {
        let encoder = try OpusEncoder(configuration: .init(complexity: 9, inBandFEC: true, expectedPacketLossPercent: 15,
                                                          discontinuousTransmission: true))
        #expect(encoder.complexity == 9)
        #expect(encoder.isInBandFECEnabled)
        #expect(encoder.expectedPacketLossPercent == 15)
        #expect(encoder.isDiscontinuousTransmissionEnabled)
        try encoder.setComplexity(0)
        #expect(encoder.complexity == 0)
        #expect(throws: AudioError.self) { try encoder.setComplexity(11) }
        #expect(throws: AudioError.self) { try encoder.setBitrate(100) }
        #expect(throws: AudioError.self) { try encoder.setInBandFEC(true, expectedPacketLossPercent: 101) }
        #expect(throws: AudioError.self) { try OpusEncoder(configuration: .init(sampleRate: 44_100)) }
        #expect(throws: AudioError.self) { try OpusEncoder(configuration: .init(channels: 3)) }
        #expect(throws: AudioError.self) { try OpusEncoder(configuration: .init(frameMilliseconds: 25)) }
    }

    @Test(arguments: [10, 20, 40, 60])
    func everyWebRTCFrameLengthEncodesAndReportsItsDuration(milliseconds: Int) throws {
        let encoder = try OpusEncoder(configuration: .init(frameMilliseconds: milliseconds))
        #expect(encoder.samplesPerChannelPerFrame == 48 * milliseconds)
        let packet = try encoder.encode(TestSignals.tone(hertz: 300, milliseconds: milliseconds))
        #expect(try OpusDecoder.samplesPerChannel(in: packet) == 48 * milliseconds)
        #expect(try OpusDecoder.duration(of: packet) == .milliseconds(milliseconds))
        let decoder = try OpusDecoder()
        #expect(try decoder.decode(packet).samples.count == 48 * milliseconds)
        #expect(decoder.lastPacketDuration == 48 * milliseconds)
    }

    @Test func wrongFrameSizeOrFormatIsAClearError() throws {
        let encoder = try OpusEncoder()
        #expect(throws: AudioError.self) { try encoder.encode(AudioFrame(samples: [Int16](repeating: 0, count: 959))) }
        #expect(throws: AudioError.self) { try encoder.encode(AudioFrame.silence(milliseconds: 10)) }
        #expect(throws: AudioError.self) { try encoder.encode(AudioFrame.silence(milliseconds: 20, sampleRate: 16_000)) }
        #expect(throws: AudioError.self) { try encoder.encode(AudioFrame.silence(milliseconds: 20, channels: 2)) }
        do {
            _ = try encoder.encode(AudioFrame(samples: [Int16](repeating: 0, count: 100)))
            Issue.record("a 100-sample frame must not encode")
        } catch {
            #expect(error.description.contains("960"), "message names the expected size: \(error)")
        }
    }

    @Test func allocationFreeVariantsMatchTheArrayForms() throws {
        let frames = TestSignals.tone(hertz: 440, milliseconds: 200).chunked(milliseconds: 20)
        let arrayEncoder = try OpusEncoder(), bufferEncoder = try OpusEncoder()
        let arrayDecoder = try OpusDecoder(), bufferDecoder = try OpusDecoder()
        let packetBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: OpusEncoder.maximumPacketSize, alignment: 1)
        defer { packetBuffer.deallocate() }
        let pcmBuffer = UnsafeMutableBufferPointer<Int16>.allocate(capacity: bufferDecoder.maximumSamplesPerChannel)
        defer { pcmBuffer.deallocate() }
        for frame in frames {
            let packet = try arrayEncoder.encode(frame)
            let length = try bufferEncoder.encode(frame, into: packetBuffer)
            #expect(Array(packetBuffer[0..<length]) == packet)
            let decoded = try arrayDecoder.decode(packet)
            let count = try bufferDecoder.decode(UnsafeRawBufferPointer(rebasing: packetBuffer[0..<length]), into: pcmBuffer)
            #expect(Array(pcmBuffer[0..<count]) == decoded.samples)
        }
        // A too-small destination is an error, not an overrun.
        let tiny = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 100)
        defer { tiny.deallocate() }
        let packet = try arrayEncoder.encode(frames[0])
        #expect(throws: AudioError.self) {
            try packet.withUnsafeBytes { bytes in _ = try bufferDecoder.decode(bytes, into: tiny) }
        }
    }

    @Test func concealmentProducesAFullFrameContinuingTheSignal() throws {
        let encoder = try OpusEncoder(), decoder = try OpusDecoder()
        for packet in try Self.encode(TestSignals.tone(hertz: 440, milliseconds: 400), with: encoder) {
            _ = try decoder.decode(packet)
        }
        let concealed = try decoder.concealLoss(samples: 960)
        #expect(concealed.samples.count == 960)
        #expect(concealed.levelDBFS > -30, "PLC of a steady tone should not be silence (\(concealed.levelDBFS) dBFS)")
        #expect(try decoder.concealLoss(samples: 480).samples.count == 480)
        #expect(throws: AudioError.self) { try decoder.concealLoss(samples: 100) }
        #expect(throws: AudioError.self) { try decoder.concealLoss(samples: 0) }
        #expect(throws: AudioError.self) { try decoder.concealLoss(samples: 48_000) }
    }

    /// The lost frame is where the tone jumps from 440 to 700 Hz: concealment can only extrapolate the
    /// old pitch, while FEC carries a copy of the new one in the following packet.
    @Test func fecRebuildsALostFrameFromTheNextPacket() throws {
        let before = TestSignals.tone(hertz: 440, milliseconds: 400)
        let after = TestSignals.tone(hertz: 700, milliseconds: 400, startingAt: before.samples.count)
        let signal = try #require(AudioFrame.joined([before, after]))
        let lost = 20   // the first frame of the 700 Hz part
        let encoder = try OpusEncoder(configuration: .init(bitrate: 32_000, inBandFEC: true, expectedPacketLossPercent: 20))
        let packets = try Self.encode(signal, with: encoder)

        let reference = try Self.decodeAll(packets).chunked(milliseconds: 20)[lost]
        func receiver(_ repair: (OpusDecoder, [UInt8]) throws -> AudioFrame) throws -> AudioFrame {
            let decoder = try OpusDecoder()
            for packet in packets[..<lost] { _ = try decoder.decode(packet) }
            let rebuilt = try repair(decoder, packets[lost + 1])
            #expect(try decoder.decode(packets[lost + 1]).samples.count == 960, "next packet still decodes")
            return rebuilt
        }
        let recovered = try receiver { try $0.recoverFromFEC(nextPacket: $1) }
        let concealed = try receiver { decoder, _ in try decoder.concealLoss(samples: 960) }
        #expect(recovered.samples.count == 960)
        #expect(recovered.levelDBFS > -20, "FEC frame is not silence (\(recovered.levelDBFS) dBFS)")
        let fec = TestSignals.bestCorrelation(reference.samples, recovered.samples, maxLag: 0).correlation
        let plc = TestSignals.bestCorrelation(reference.samples, concealed.samples, maxLag: 0).correlation
        #expect(fec > 0.8, "FEC correlation \(fec), PLC \(plc)")
        #expect(fec > plc + 0.2, "FEC \(fec) should beat concealment \(plc) across a pitch change")
    }

    @Test func dtxSendsTinyPacketsDuringSilence() throws {
        let silence = AudioFrame.silence(milliseconds: 2_000)
        func packetSizes(dtx: Bool) throws -> [Int] {
            let encoder = try OpusEncoder(configuration: .init(discontinuousTransmission: dtx))
            // Speech first so the encoder has something to fall silent from.
            _ = try Self.encode(TestSignals.tone(hertz: 300, milliseconds: 200), with: encoder)
            let sizes = try Self.encode(silence, with: encoder).map(\.count)
            if dtx { #expect(encoder.isInDTX) }
            return sizes
        }
        let withDTX = try packetSizes(dtx: true).suffix(50)
        let withoutDTX = try packetSizes(dtx: false).suffix(50)
        let tiny = withDTX.filter { $0 <= OpusEncoder.dtxPacketMaximumSize }.count
        #expect(tiny >= 40, "DTX packet sizes \(Array(withDTX))")
        #expect(withoutDTX.allSatisfy { $0 > OpusEncoder.dtxPacketMaximumSize }, "no DTX: \(Array(withoutDTX))")
    }

    @Test func garbagePacketsAreErrorsNeverTraps() throws {
        let decoder = try OpusDecoder()
        #expect(throws: AudioError.self) { try decoder.decode([]) }
        // TOC code 3 (arbitrary frame count) with the count byte missing.
        #expect(throws: AudioError.self) { try decoder.decode([0xFF]) }
        // Code 3 claiming 48 frames of 20 ms = 960 ms, far past the 120 ms limit.
        #expect(throws: AudioError.self) { try decoder.decode([0x0B, 0x30, 0x00]) }
        #expect(throws: AudioError.self) { try OpusDecoder.samplesPerChannel(in: []) }
        #expect(throws: AudioError.self) { try decoder.recoverFromFEC(nextPacket: []) }

        var random = SplitMix64(seed: 42)
        var rejected = 0, decoded = 0
        for _ in 0..<2_000 {
            let length = Int.random(in: 1...200, using: &random)
            let packet = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            do {
                let frame = try decoder.decode(packet)
                #expect(frame.samples.count <= decoder.maximumSamplesPerChannel)
                decoded += 1
            } catch {
                rejected += 1
            }
        }
        #expect(rejected > 0 && decoded > 0, "random bytes: \(decoded) decoded, \(rejected) rejected")
        // The decoder is still usable afterwards.
        let packet = try OpusEncoder().encode(TestSignals.tone(hertz: 440, milliseconds: 20))
        #expect(try decoder.decode(packet).samples.count == 960)
    }
}
