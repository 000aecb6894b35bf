import Audio
import Foundation

/// A sequence of pure tones used to prove that audio crossed a connection intact: the receiver's
/// recording must contain the same tones in the same order (not merely "some bytes arrived").
struct ToneSequence {
    var frequencies: [Double]
    var toneMilliseconds: Int

    static let standard = ToneSequence(frequencies: [440, 660, 880, 550, 770, 990], toneMilliseconds: 400)

    /// The tones back to back at 48 kHz mono, at −12 dBFS, repeated to fill `milliseconds`.
    func render(milliseconds: Int, sampleRate: Int = 48_000) -> AudioFrame {
        let perTone = sampleRate * toneMilliseconds / 1000
        let total = sampleRate * milliseconds / 1000
        var samples = [Float](repeating: 0, count: total)
        for index in 0..<total {
            let frequency = frequencies[(index / perTone) % frequencies.count]
            samples[index] = Float(0.25 * sin(2 * Double.pi * frequency * Double(index) / Double(sampleRate)))
        }
        return AudioFrame(floatSamples: samples, sampleRate: sampleRate)
    }

    /// The tone heard in each 100 ms window (nil for silence or noise), found with Goertzel filters.
    func detect(in audio: AudioFrame) -> [Double?] {
        let mono = audio.channels == 1 ? audio.floatSamples
            : stride(from: 0, to: audio.samples.count, by: audio.channels).map { Float(audio.samples[$0]) / 32768 }
        let window = audio.sampleRate / 10
        return stride(from: 0, to: mono.count - window, by: window).map { start in
            let slice = mono[start..<start + window]
            let energy = slice.reduce(0) { $0 + Double($1 * $1) }
            guard energy / Double(window) > 1e-5 else { return nil }
            let powers = frequencies.map { Self.goertzelPower(slice, frequency: $0, sampleRate: audio.sampleRate) }
            guard let best = powers.indices.max(by: { powers[$0] < powers[$1] }) else { return nil }
            // A real tone puts most of the window's energy in one bin (Parseval: |X|² ≈ N·E/2).
            return powers[best] > 0.25 * energy * Double(window) / 2 ? frequencies[best] : nil
        }
    }

    /// The distinct tones in order, with runs collapsed (what a listener would name).
    func heardSequence(in audio: AudioFrame) -> [Double] {
        var result: [Double] = []
        var run: (frequency: Double, count: Int)?
        for tone in detect(in: audio) {
            guard let tone else { run = nil; continue }
            if run?.frequency == tone { run?.count += 1 } else { run = (tone, 1) }
            // Two windows in a row (200 ms) make a tone; a single window is a transition.
            if run?.count == 2, result.last != tone { result.append(tone) }
        }
        return result
    }

    /// Whether `heard` follows the cyclic sequence for at least `minimumTones` tones in a row.
    func matches(_ heard: [Double], minimumTones: Int) -> Bool {
        guard heard.count >= minimumTones else { return false }
        var longest = 0
        var current = 0
        for (previous, next) in zip(heard, heard.dropFirst()) {
            guard let index = frequencies.firstIndex(of: previous) else { current = 0; continue }
            if frequencies[(index + 1) % frequencies.count] == next {
                current += 1
                longest = max(longest, current + 1)
            } else {
                current = 0
            }
        }
        return longest >= minimumTones
    }

    private static func goertzelPower(_ samples: ArraySlice<Float>, frequency: Double, sampleRate: Int) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / Double(sampleRate))
        var previous = 0.0
        var beforePrevious = 0.0
        for sample in samples {
            let current = Double(sample) + coefficient * previous - beforePrevious
            beforePrevious = previous
            previous = current
        }
        return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
    }
}
