#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Band energies (dB) of the latest 20 ms of a stream, computed every 10 ms hop with a Hann-windowed FFT.
/// Used by `VoiceActivityDetector`; a plain radix-2 FFT is enough at 100 transforms a second.
struct SpectralAnalyzer: Sendable {
    /// Band edges in Hz: Bark-like, narrow where formants and pitch harmonics live.
    static let bandEdges: [Double] = [100, 200, 300, 400, 510, 630, 770, 920, 1_080, 1_270, 1_480, 1_720,
                                      2_000, 2_320, 2_700, 3_150, 3_700, 4_400, 5_300, 6_400, 7_700]
    /// How much each band counts as speech evidence: formants and most consonant energy sit in 300–4000 Hz.
    static let bandWeights: [Double] = bandEdges.dropLast().map { (300..<4_000).contains($0) ? 1 : 0.35 }

    var bandCount: Int { Self.bandEdges.count - 1 }

    private let window: [Float]
    private let size: Int
    private let bandBins: [Range<Int>]
    private let fft: RadixTwoFFT
    private var history: [Float]
    private var real: [Float]
    private var imaginary: [Float]

    init(sampleRate: Int) {
        let windowLength = sampleRate / 50
        var size = 1
        while size < windowLength { size *= 2 }
        self.size = size
        window = (0..<windowLength).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(windowLength))) }
        history = [Float](repeating: 0, count: windowLength)
        real = [Float](repeating: 0, count: size)
        imaginary = [Float](repeating: 0, count: size)
        fft = RadixTwoFFT(size: size)
        let binWidth = Double(sampleRate) / Double(size)
        bandBins = zip(Self.bandEdges, Self.bandEdges.dropFirst()).map { low, high in
            let first = Int((low / binWidth).rounded())
            return first..<max(first + 1, Int((high / binWidth).rounded()))
        }
    }

    /// Slides `samples` (one hop) into the window and returns each band's energy in dB.
    mutating func bandLevels(next samples: ArraySlice<Int16>) -> [Double] {
        history.removeFirst(samples.count)
        history.append(contentsOf: samples.lazy.map { Float($0) / 32768 })
        for index in 0..<size {
            real[index] = index < history.count ? history[index] * window[index] : 0
            imaginary[index] = 0
        }
        fft.transform(real: &real, imaginary: &imaginary)
        return bandBins.map { bins in
            var energy: Float = 0
            for bin in bins { energy += real[bin] * real[bin] + imaginary[bin] * imaginary[bin] }
            // The floor keeps digital silence finite (about −100 dB per band).
            return 10 * log10(Double(energy) + 1e-10)
        }
    }
}

/// In-place iterative radix-2 complex FFT with precomputed twiddles.
struct RadixTwoFFT: Sendable {
    let size: Int
    private let cosines: [Float]
    private let sines: [Float]
    private let reversed: [Int]

    init(size: Int) {
        self.size = size
        cosines = (0..<size / 2).map { Float(cos(-2 * Double.pi * Double($0) / Double(size))) }
        sines = (0..<size / 2).map { Float(sin(-2 * Double.pi * Double($0) / Double(size))) }
        let bits = size.trailingZeroBitCount
        reversed = (0..<size).map { index in
            var result = 0
            for bit in 0..<bits where index & (1 << bit) != 0 { result |= 1 << (bits - 1 - bit) }
            return result
        }
    }

    func transform(real: inout [Float], imaginary: inout [Float]) {
        for index in 0..<size where reversed[index] > index {
            real.swapAt(index, reversed[index])
            imaginary.swapAt(index, reversed[index])
        }
        var length = 2
        while length <= size {
            let half = length / 2, step = size / length
            for start in stride(from: 0, to: size, by: length) {
                for offset in 0..<half {
                    let c = cosines[offset * step], s = sines[offset * step]
                    let even = start + offset, odd = even + half
                    let oddReal = real[odd] * c - imaginary[odd] * s
                    let oddImaginary = real[odd] * s + imaginary[odd] * c
                    real[odd] = real[even] - oddReal
                    imaginary[odd] = imaginary[even] - oddImaginary
                    real[even] += oddReal
                    imaginary[even] += oddImaginary
                }
            }
            length *= 2
        }
    }
}
