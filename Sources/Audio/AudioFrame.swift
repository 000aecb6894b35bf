/// A short run of PCM audio: interleaved 16-bit samples at one rate.
///
/// Steadfast's media path runs at 48 kHz mono in 10 or 20 ms frames (what Opus and WebRTC use);
/// speech engines that want 16 kHz or produce 22.05 kHz go through `Resampler` at their edge.
/// Int16 is the storage because every codec and engine on the path reads or writes it; `floatSamples`
/// is there for analysis (VAD, levels).
public struct AudioFrame: Sendable, Equatable {
    public static let defaultSampleRate = 48_000

    public var samples: [Int16]
    public var sampleRate: Int
    public var channels: Int

    public init(samples: [Int16], sampleRate: Int = AudioFrame.defaultSampleRate, channels: Int = 1) {
        precondition(sampleRate > 0 && channels > 0, "AudioFrame needs a positive rate and channel count")
        self.samples = samples
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// Builds a frame from floats in -1...1 (values outside are clipped).
    public init(floatSamples: [Float], sampleRate: Int = AudioFrame.defaultSampleRate, channels: Int = 1) {
        self.init(samples: floatSamples.map(AudioFrame.int16), sampleRate: sampleRate, channels: channels)
    }

    /// Digital silence of the given length.
    public static func silence(milliseconds: Int, sampleRate: Int = AudioFrame.defaultSampleRate, channels: Int = 1) -> AudioFrame {
        AudioFrame(samples: [Int16](repeating: 0, count: sampleRate * milliseconds / 1000 * channels),
                   sampleRate: sampleRate, channels: channels)
    }

    public var samplesPerChannel: Int { samples.count / channels }
    public var isEmpty: Bool { samples.isEmpty }
    public var duration: Duration { .microseconds(Int64(samplesPerChannel) * 1_000_000 / Int64(sampleRate)) }
    public var milliseconds: Double { Double(samplesPerChannel) * 1000 / Double(sampleRate) }

    /// Samples scaled to -1...1.
    public var floatSamples: [Float] { samples.map { Float($0) / 32768 } }

    /// Root-mean-square level in dBFS (−∞ for digital silence reads as −120).
    public var levelDBFS: Double {
        guard !samples.isEmpty else { return -120 }
        var sum = 0.0
        for sample in samples { let value = Double(sample) / 32768; sum += value * value }
        let rms = (sum / Double(samples.count)).squareRoot()
        return rms > 0 ? max(-120, 20 * log10(rms)) : -120
    }

    /// Splits into frames of `milliseconds` each; a short tail is kept as the last frame.
    public func chunked(milliseconds: Int) -> [AudioFrame] {
        let size = max(1, sampleRate * milliseconds / 1000) * channels
        return stride(from: 0, to: samples.count, by: size).map {
            AudioFrame(samples: Array(samples[$0..<min($0 + size, samples.count)]), sampleRate: sampleRate, channels: channels)
        }
    }

    /// Concatenates frames of one format.
    public static func joined(_ frames: [AudioFrame]) -> AudioFrame? {
        guard let first = frames.first else { return nil }
        precondition(frames.allSatisfy { $0.sampleRate == first.sampleRate && $0.channels == first.channels },
                     "joined frames must share a format")
        return AudioFrame(samples: frames.flatMap(\.samples), sampleRate: first.sampleRate, channels: first.channels)
    }

    /// The channels averaged into one (what speech engines and the VAD take).
    public func mixedToMono() -> AudioFrame {
        guard channels > 1 else { return self }
        var mono = [Int16](repeating: 0, count: samplesPerChannel)
        for index in 0..<samplesPerChannel {
            var sum = 0
            for channel in 0..<channels { sum += Int(samples[index * channels + channel]) }
            mono[index] = Int16(sum / channels)
        }
        return AudioFrame(samples: mono, sampleRate: sampleRate)
    }

    static func int16(_ value: Float) -> Int16 {
        Int16(max(-32768, min(32767, (value * 32768).rounded())))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
