/// What the detector reports when speech begins or ends.
public enum VADEvent: Sendable, Equatable {
    /// Speech began at this sample offset (per channel, counted from the first sample the detector saw).
    /// Reported once `minSpeechDuration` of speech has been seen, but dated back to its first frame.
    case speechStarted(at: Int)
    /// Speech ended at sample offset `at` after lasting `speechDuration`; reported after `minSilenceDuration`.
    case speechEnded(at: Int, speechDuration: Duration)
}

/// Sans-IO voice activity detection on 10 ms hops: `process(_:)` takes frames, returns events.
///
/// Design (our own, no model weights): an adaptive per-band noise model plus hysteresis.
/// - Every 10 ms hop, a 20 ms Hann-windowed FFT gives log energies in 20 Bark-like bands (100 Hz–7.7 kHz).
/// - Each band keeps a noise mean and spread (in dB), learnt while the hop is judged non-speech and
///   pulled down at once when the band gets quieter. A minimum-statistics guard (the quietest hop of
///   the last 2 s) lifts the mean when noise gets louder for good, so a fan switching on is
///   absorbed within ~2 s instead of being speech forever.
/// - Speech evidence is how many spreads each band stands above its noise, weighted towards the
///   300–4000 Hz speech band. Stationary noise of any colour (white, pink, hum) sits at its own mean
///   whatever its level, so it scores near zero; speech's formants and syllable rhythm do not.
/// - The evidence is squashed to a 0…1 probability; `activationThreshold`, `minSpeechDuration`
///   (onset must persist) and `minSilenceDuration` (hangover) turn it into start/end events.
/// We chose this over a neural VAD (Silero, WebRTC's GMM) to stay dependency-free and explainable;
/// it needs ~0.3 s of noise to learn from and will call sustained non-stationary sounds (music) speech.
public struct VoiceActivityDetector: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// 48 000 or 16 000 Hz, mono.
        public var sampleRate: Int
        /// Probability at or above which a hop counts as speech.
        public var activationThreshold: Double
        /// Speech must last this long before `speechStarted` fires (filters clicks and door bangs).
        public var minSpeechDuration: Duration
        /// Non-speech must last this long before `speechEnded` fires (bridges pauses between words).
        public var minSilenceDuration: Duration

        public init(sampleRate: Int = AudioFrame.defaultSampleRate, activationThreshold: Double = 0.5,
                    minSpeechDuration: Duration = .milliseconds(100), minSilenceDuration: Duration = .milliseconds(400)) {
            self.sampleRate = sampleRate
            self.activationThreshold = activationThreshold
            self.minSpeechDuration = minSpeechDuration
            self.minSilenceDuration = minSilenceDuration
        }
    }

    public let configuration: Configuration
    /// Speech probability of the most recent frame (the mean over its 10 ms hops).
    public private(set) var speechProbability: Double = 0
    /// Whether the detector is inside a speech segment (between `speechStarted` and `speechEnded`).
    public private(set) var isSpeaking = false

    private let hop: Int
    private let minSpeechHops: Int
    private let minSilenceHops: Int
    private var analyzer: SpectralAnalyzer
    private var noise: BandNoiseModel
    private var pending: [Int16] = []
    private var hopsSeen = 0
    private var run = 0                 // consecutive speech hops while silent, non-speech hops while speaking
    private var segmentStart = 0        // sample offset of the current (candidate) segment's first hop
    private var lastSpeechEnd = 0       // sample offset just past the last speech hop
    private var events: [VADEvent] = []
    private var recentProbabilities: [Double] = []   // the last `lookBackHops` hops, oldest first

    public init(configuration: Configuration = Configuration()) throws(AudioError) {
        guard [16_000, 48_000].contains(configuration.sampleRate) else {
            throw .invalidFormat("VAD runs at 16 or 48 kHz, not \(configuration.sampleRate) Hz")
        }
        guard (0...1).contains(configuration.activationThreshold) else {
            throw .invalidFormat("VAD activation threshold \(configuration.activationThreshold) is outside 0…1")
        }
        self.configuration = configuration
        hop = configuration.sampleRate / 100
        minSpeechHops = max(1, Self.hops(configuration.minSpeechDuration))
        minSilenceHops = max(1, Self.hops(configuration.minSilenceDuration))
        analyzer = SpectralAnalyzer(sampleRate: configuration.sampleRate)
        noise = BandNoiseModel(bands: analyzer.bandCount)
    }

    /// Feeds one mono frame (10 or 20 ms is usual; any length works, partial hops carry over) and
    /// returns the first event it caused. Call `pollEvent()` for any further ones (only possible
    /// with frames longer than the minimum durations).
    public mutating func process(_ frame: AudioFrame) throws(AudioError) -> VADEvent? {
        guard frame.sampleRate == configuration.sampleRate, frame.channels == 1 else {
            throw .invalidFormat("VAD expects \(configuration.sampleRate) Hz mono, got \(frame.sampleRate) Hz × \(frame.channels)")
        }
        pending.append(contentsOf: frame.samples)
        var sum = 0.0, count = 0
        var start = 0
        while pending.count - start >= hop {
            let probability = analyze(pending[start..<start + hop])
            sum += probability
            count += 1
            start += hop
        }
        pending.removeFirst(start)
        if count > 0 { speechProbability = sum / Double(count) }
        return pollEvent()
    }

    /// The next queued event, if any.
    public mutating func pollEvent() -> VADEvent? {
        events.isEmpty ? nil : events.removeFirst()
    }

    /// Ends an open segment at the end of the stream.
    public mutating func finish() -> VADEvent? {
        if isSpeaking {
            isSpeaking = false
            events.append(.speechEnded(at: lastSpeechEnd, speechDuration: duration(lastSpeechEnd - segmentStart)))
        }
        return pollEvent()
    }

    // MARK: Per hop

    private mutating func analyze(_ samples: ArraySlice<Int16>) -> Double {
        let levels = analyzer.bandLevels(next: samples)
        let evidence = noise.evidence(levels)
        // Logistic squashing: evidence 0.8 is the midpoint, ~1.6 is near-certain speech.
        let probability = 1 / (1 + exp(-4 * (evidence - 0.8)))
        noise.learn(levels, isSpeechLikely: probability >= 0.3)
        advance(isSpeech: probability >= configuration.activationThreshold)
        recentProbabilities.append(probability)
        if recentProbabilities.count > Self.lookBackHops { recentProbabilities.removeFirst() }
        hopsSeen += 1
        return probability
    }

    private mutating func advance(isSpeech: Bool) {
        let hopStart = hopsSeen * hop
        if isSpeaking {
            if isSpeech {
                run = 0
                lastSpeechEnd = hopStart + hop
            } else {
                run += 1
                if run >= minSilenceHops {
                    isSpeaking = false
                    run = 0
                    events.append(.speechEnded(at: lastSpeechEnd, speechDuration: duration(lastSpeechEnd - segmentStart)))
                }
            }
        } else if isSpeech {
            if run == 0 { segmentStart = hopStart - hop * weakOnsetHops() }
            run += 1
            lastSpeechEnd = hopStart + hop
            if run >= minSpeechHops {
                isSpeaking = true
                run = 0
                events.append(.speechStarted(at: segmentStart))
            }
        } else {
            run = 0
        }
    }

    /// How many hops just before a speech run already looked half like speech. Soft onsets (/h/, /f/,
    /// a breathy vowel) sit under the threshold in noise; dating the start back over them keeps the
    /// reported onset close to the real one without lowering the threshold for everything.
    private func weakOnsetHops() -> Int {
        var count = 0
        for probability in recentProbabilities.reversed() {
            guard probability >= Self.weakSpeechProbability else { break }
            count += 1
        }
        return count
    }

    private static let lookBackHops = 12
    private static let weakSpeechProbability = 0.2

    private func duration(_ samples: Int) -> Duration {
        .microseconds(Int64(samples) * 1_000_000 / Int64(configuration.sampleRate))
    }

    private static func hops(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 100 + Int(attoseconds / 10_000_000_000_000_000)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
