/// Per-band background-noise statistics in dB, and how far a hop stands out from them.
///
/// Mean and spread are learnt only from hops that do not look like speech, fall at once when a band gets
/// quieter, and are lifted by a minimum-statistics guard when noise has got louder for good
/// (speech always has gaps within 2 s; steady noise never does).
struct BandNoiseModel: Sendable {
    private var mean: [Double]
    private var spread: [Double]
    private var minimumWindows: [[Double]]   // per band, the minimum of each 250 ms block of the last 2 s
    private var currentMinimum: [Double]
    private var hopsInBlock = 0
    private var hopsLearnt = 0
    private var relearnHops = 0        // after the guard fired: learn quickly again, speech or not

    private static let blockHops = 25
    private static let blocks = 8
    private static let spreadRange = 1.5...6.0

    init(bands: Int) {
        mean = [Double](repeating: .nan, count: bands)
        spread = [Double](repeating: 3, count: bands)
        minimumWindows = [[Double]](repeating: [], count: bands)
        currentMinimum = [Double](repeating: .infinity, count: bands)
    }

    /// How many spreads the most prominent bands stand above their noise, past a 1.5-spread margin:
    /// the weighted mean over the top `prominentBands`. Speech lights up a few formant bands at a time,
    /// so averaging over all bands would dilute it; noise rarely lifts several bands at once.
    func evidence(_ levels: [Double]) -> Double {
        guard hopsLearnt > 0 else { return 0 }
        var standings = levels.enumerated().map { band, level in
            SpectralAnalyzer.bandWeights[band] * min(8, max(0, (level - mean[band]) / spread[band] - 1.5))
        }
        standings.sort(by: >)
        return standings.prefix(Self.prominentBands).reduce(0, +) / Double(Self.prominentBands)
    }

    private static let prominentBands = 5

    mutating func learn(_ levels: [Double], isSpeechLikely: Bool) {
        // Learn fast at first (the first ~0.3 s is assumed to be mostly background), then slowly.
        let rate = hopsLearnt < 30 || relearnHops > 0 ? 0.2 : 0.04
        let learnAnyway = hopsLearnt < 10 || relearnHops > 0
        relearnHops = max(0, relearnHops - 1)
        for (band, level) in levels.enumerated() {
            if mean[band].isNaN { mean[band] = level; continue }
            let deviation = level - mean[band]
            if deviation < 0 {
                // Quieter than the noise we believe in: the belief was too high (it may have learnt speech).
                // The fall is rate-limited (30 dB/s) so a click or a burst of digital silence cannot
                // drag the floor far below the real noise.
                mean[band] += max(0.3 * deviation, -0.3)
            } else if !isSpeechLikely || learnAnyway {
                mean[band] += rate * deviation
            }
            if !isSpeechLikely || learnAnyway {
                let variance = spread[band] * spread[band]
                spread[band] = (variance + rate * (deviation * deviation - variance)).squareRoot()
                spread[band] = min(Self.spreadRange.upperBound, max(Self.spreadRange.lowerBound, spread[band]))
            }
            currentMinimum[band] = min(currentMinimum[band], level)
        }
        hopsLearnt += 1
        hopsInBlock += 1
        guard hopsInBlock == Self.blockHops else { return }
        hopsInBlock = 0
        for band in mean.indices {
            minimumWindows[band].append(currentMinimum[band])
            if minimumWindows[band].count > Self.blocks { minimumWindows[band].removeFirst() }
            currentMinimum[band] = .infinity
            // Every hop of the last 2 s was above the noise mean: the noise itself got louder.
            if minimumWindows[band].count == Self.blocks, let floor = minimumWindows[band].min(), floor > mean[band] {
                mean[band] = floor + spread[band]
                relearnHops = 30
            }
        }
    }
}
