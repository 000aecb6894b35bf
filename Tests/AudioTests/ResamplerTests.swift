import Audio
import Foundation
import Testing

@Suite("Resampler (libspeexdsp)")
struct ResamplerTests {
    static func tone(hertz: Double, rate: Int, milliseconds: Int) -> AudioFrame {
        let count = rate * milliseconds / 1000
        return AudioFrame(floatSamples: (0..<count).map { Float(0.5 * sin(2 * .pi * hertz * Double($0) / Double(rate))) },
                          sampleRate: rate)
    }

    /// Dominant frequency by zero crossings: a resampler that got the ratio wrong shifts the pitch.
    static func zeroCrossingFrequency(_ frame: AudioFrame) -> Double {
        var crossings = 0
        for index in 1..<frame.samples.count where (frame.samples[index - 1] < 0) != (frame.samples[index] < 0) {
            crossings += 1
        }
        return Double(crossings) / 2 / (frame.milliseconds / 1000)
    }

    @Test(arguments: [8_000, 16_000, 24_000, 44_100, 22_050])
    func convertsToFortyEightKilohertzKeepingLengthAndPitch(rate: Int) throws {
        let input = Self.tone(hertz: 440, rate: rate, milliseconds: 1000)
        let resampler = try Resampler(from: rate, to: 48_000)
        var pieces: [AudioFrame] = []
        for chunk in input.chunked(milliseconds: 20) { pieces.append(try resampler.process(chunk)) }
        let output = try #require(AudioFrame.joined(pieces))
        #expect(output.sampleRate == 48_000)
        // The filter holds back a few samples of latency; the length must still be within 1 %.
        #expect(abs(output.samples.count - 48_000) < 480)
        #expect(abs(Self.zeroCrossingFrequency(output) - 440) < 5)
        #expect(abs(output.levelDBFS - input.levelDBFS) < 0.5)
    }

    @Test func downsamplesFortyEightToSixteenForSpeechEngines() throws {
        let output = try Resampler.convert(Self.tone(hertz: 300, rate: 48_000, milliseconds: 500), to: 16_000)
        #expect(output.sampleRate == 16_000)
        #expect(abs(output.samples.count - 8_000) < 80)
        #expect(abs(Self.zeroCrossingFrequency(output) - 300) < 5)
    }

    @Test func mismatchedInputIsAClearErrorNotATrap() throws {
        let resampler = try Resampler(from: 16_000, to: 48_000)
        #expect(throws: AudioError.self) { try resampler.process(AudioFrame.silence(milliseconds: 20, sampleRate: 8_000)) }
        #expect(throws: AudioError.self) { try Resampler(from: 0, to: 48_000) }
    }

    @Test func equalRatesPassThrough() throws {
        let frame = Self.tone(hertz: 1000, rate: 48_000, milliseconds: 20)
        #expect(try Resampler(from: 48_000, to: 48_000).process(frame) == frame)
    }
}

@Suite("AudioFrame")
struct AudioFrameTests {
    @Test func durationChunkingAndLevels() throws {
        let frame = AudioFrame.silence(milliseconds: 50)
        #expect(frame.samples.count == 2_400)
        #expect(frame.duration == .milliseconds(50))
        let chunks = frame.chunked(milliseconds: 20)
        #expect(chunks.map(\.samples.count) == [960, 960, 480])
        #expect(frame.levelDBFS == -120)
        let full = AudioFrame(floatSamples: [1, -1, 1, -1])
        #expect(abs(full.levelDBFS) < 0.01)
        #expect(AudioFrame(floatSamples: [2, -2]).samples == [32767, -32768])
    }
}
