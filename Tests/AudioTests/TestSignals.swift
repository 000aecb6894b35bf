import Audio
import Foundation
import TestSupport

/// Signal generators and measurements shared by the audio suites.
enum TestSignals {
    static func tone(hertz: Double, milliseconds: Int, rate: Int = 48_000, amplitude: Double = 0.5,
                     startingAt offset: Int = 0) -> AudioFrame {
        let count = rate * milliseconds / 1000
        return AudioFrame(floatSamples: (0..<count).map {
            Float(amplitude * sin(2 * .pi * hertz * Double($0 + offset) / Double(rate)))
        }, sampleRate: rate)
    }

    /// Uniform white noise at the given RMS (in linear full-scale units).
    static func whiteNoise(count: Int, rms: Double, seed: UInt64) -> [Float] {
        var random = SplitMix64(seed: seed)
        let scale = rms * 3.0.squareRoot()   // uniform on ±a has RMS a/√3
        return (0..<count).map { _ in Float(Double.random(in: -1...1, using: &random) * scale) }
    }

    /// Pink (1/f) noise via Paul Kellet's refined filter on white noise, scaled to the RMS asked for.
    static func pinkNoise(count: Int, rms: Double, seed: UInt64) -> [Float] {
        let white = whiteNoise(count: count, rms: 1, seed: seed)
        var b = [Double](repeating: 0, count: 7)
        var output = [Double]()
        output.reserveCapacity(count)
        for sample in white.map(Double.init) {
            b[0] = 0.99886 * b[0] + sample * 0.0555179
            b[1] = 0.99332 * b[1] + sample * 0.0750759
            b[2] = 0.96900 * b[2] + sample * 0.1538520
            b[3] = 0.86650 * b[3] + sample * 0.3104856
            b[4] = 0.55000 * b[4] + sample * 0.5329522
            b[5] = -0.7616 * b[5] - sample * 0.0168980
            output.append(b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + sample * 0.5362)
            b[6] = sample * 0.115926
        }
        return normalized(output, rms: rms)
    }

    /// Mains hum: 50 Hz with odd and even harmonics, as a cheap transformer or ground loop produces.
    static func hum(count: Int, rms: Double, rate: Int = 48_000) -> [Float] {
        let partials: [(Double, Double)] = [(50, 1), (100, 0.5), (150, 0.35), (200, 0.2), (250, 0.15), (350, 0.08)]
        let raw = (0..<count).map { index in
            partials.reduce(0.0) { $0 + $1.1 * sin(2 * .pi * $1.0 * Double(index) / Double(rate)) }
        }
        return normalized(raw, rms: rms)
    }

    static func normalized(_ values: [Double], rms: Double) -> [Float] {
        let current = (values.reduce(0) { $0 + $1 * $1 } / Double(max(1, values.count))).squareRoot()
        guard current > 0 else { return values.map { Float($0) } }
        return values.map { Float($0 * rms / current) }
    }

    static func rms(_ values: some Collection<Float>) -> Double {
        guard !values.isEmpty else { return 0 }
        return (values.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(values.count)).squareRoot()
    }

    /// Largest normalized cross-correlation of `b` against `a` over lags 0...maxLag (b delayed).
    static func bestCorrelation(_ a: [Int16], _ b: [Int16], maxLag: Int) -> (correlation: Double, lag: Int) {
        var best = (correlation: -1.0, lag: 0)
        for lag in 0...maxLag {
            let count = min(a.count, b.count - lag)
            guard count > 0 else { break }
            var dot = 0.0, energyA = 0.0, energyB = 0.0
            for index in 0..<count {
                let x = Double(a[index]), y = Double(b[index + lag])
                dot += x * y; energyA += x * x; energyB += y * y
            }
            let value = energyA > 0 && energyB > 0 ? dot / (energyA * energyB).squareRoot() : 0
            if value > best.correlation { best = (value, lag) }
        }
        return best
    }

    /// Dominant frequency by zero crossings.
    static func zeroCrossingFrequency(_ frame: AudioFrame) -> Double {
        var crossings = 0
        for index in 1..<frame.samples.count where (frame.samples[index - 1] < 0) != (frame.samples[index] < 0) {
            crossings += 1
        }
        return Double(crossings) / 2 / (frame.milliseconds / 1000)
    }
}
