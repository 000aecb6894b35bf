import Audio
import Foundation
import TestSupport
import LocalSpeech

/// 10. VAD choice (issue 5 §3: "use WebRTC's VAD or a detector of your own; measure and choose").
/// Our `VoiceActivityDetector` (default configuration) against WebRTC's C VAD in modes 0–3 from
/// Debian's libwebrtc-audio-processing, at 48 and 16 kHz, on the same labelled material:
/// five espeak-ng phrases (1 s lead-in, 1.5 s gaps, a 6 s noise-only tail) with the active speech
/// level set to −20, −30 and −40 dBFS (a hot close microphone, about nominal, a quiet or distant one;
/// espeak-ng itself speaks at about −19.5), mixed with white, pink and mains-hum noise at 20, 10 and
/// 5 dB SNR: 27 conditions per rate, a fresh detector for each.
/// Truth: a 10 ms hop of the clean signal is speech when within 35 dB of the loudest hop (as the
/// AudioTests VAD suite labels it); a 20 ms frame is speech when either of its hops is.
/// - Frame level, raw decisions, 20 ms frames: ours is `speechProbability ≥ 0.5` (its threshold; the
///   mean of the frame's two 10 ms hops), WebRTC's is `WebRtcVad_Process` (1/0, which includes its
///   built-in overhang of a few frames after speech). Precision and recall over the whole stream;
///   false-positive rate over the noise-only tail from 0.5 s after the last word.
/// - Segments and onset latency: the same smoothing for every detector, our defaults as a shared
///   rule on the raw frame decisions (5 speech frames = 100 ms to start, 20 non-speech = 400 ms to end).
///   Latency: true onset → end of the first frame in which the smoothed state is "speaking"; phrases
///   that start while a false-positive segment is still open are counted apart, not timed.
/// - CPU: this thread's CPU time per second of audio (50 frames), every second of all 9 conditions.
/// Baseline of the comparisons: WebRTC mode 3 in the same run.
enum VADChoiceBenchmark {
    static let name = "10. VAD choice"
    static let rates = [48_000, 16_000]
    static let signalToNoise: [Double] = [20, 10, 5]
    /// Active speech levels (RMS over the hops labelled speech), dBFS.
    static let speechLevels: [Double] = [-20, -30, -40]
    static let leadMilliseconds = 1_000
    static let gapMilliseconds = 1_500
    static let tailMilliseconds = 6_000
    /// Left out of the noise-only stretch: where hangovers of the last word may still run.
    static let tailSettleMilliseconds = 500
    static let frameMilliseconds = 20
    static let minSpeechFrames = 5     // 100 ms, `VoiceActivityDetector`'s `minSpeechDuration`
    static let minSilenceFrames = 20   // 400 ms, its `minSilenceDuration`

    enum Noise: String, CaseIterable { case white, pink, hum }

    enum Detector: Hashable {
        case ours
        case webRTC(mode: Int)

        var label: String {
            switch self {
            case .ours: "**ours** (`VoiceActivityDetector`)"
            case .webRTC(let mode): mode == 3 ? "WebRTC mode 3 (baseline)" : "WebRTC mode \(mode)"
            }
        }
        var shortLabel: String {
            switch self {
            case .ours: "ours"
            case .webRTC(let mode): "webrtc\(mode)"
            }
        }
        static let all: [Detector] = [.ours, .webRTC(mode: 0), .webRTC(mode: 1), .webRTC(mode: 2), .webRTC(mode: 3)]
        static let baseline = Detector.webRTC(mode: 3)
    }

    /// One noisy rendition of the scene.
    struct Condition {
        var level: Double
        var noise: Noise
        var snr: Double
        var frames: [AudioFrame]
        var name: String { "speech \(Int(level)) dBFS, \(noise.rawValue) at \(Int(snr)) dB SNR" }
    }

    /// The clean scene's labels and the noisy renditions, at one rate.
    struct Material {
        var rate: Int
        var truth: [Bool]                  // per 20 ms frame
        var utterances: [Range<Int>]       // samples, first to past the last labelled hop of each phrase
        var noiseOnlyFrames: Range<Int>
        var conditions: [Condition]
        var frameLength: Int { rate * VADChoiceBenchmark.frameMilliseconds / 1000 }
    }

    /// What one detector did on one condition.
    struct Outcome {
        var precision: Double
        var recall: Double
        var falsePositiveRate: Double
        var segments: Int
        var latencies: [Double]
        /// Phrases never detected, and phrases that began while a false-positive segment was still open.
        var missed: Int
        var alreadyOn: Int
        var cpuPerSecond: [Double]
    }

    static func run(_ options: BenchOptions) async throws -> (rows: [ResultRow], derived: [DerivedRow]) {
        var derived: [DerivedRow] = []
        for rate in rates {
            let material = try await material(rate: rate)
            progress("\(name): our VAD and WebRTC's modes 0–3 at \(rate / 1000) kHz, "
                     + "\(material.conditions.count) noise conditions × \(material.truth.count / 50) s")
            var outcomes: [Detector: [Outcome]] = [:]
            for detector in Detector.all {
                outcomes[detector] = try material.conditions.map { try measure(detector, on: $0, material: material) }
            }
            for (index, condition) in material.conditions.enumerated() {
                let parts = Detector.all.map { detector in
                    let outcome = outcomes[detector]![index]
                    return String(format: "%@ P %.2f R %.2f FP %.3f seg %d", detector.shortLabel, outcome.precision,
                                  outcome.recall, outcome.falsePositiveRate, outcome.segments)
                }
                progress("  \(rate / 1000) kHz \(condition.name): " + parts.joined(separator: " | "))
            }
            derived += rows(rate: rate, material: material, outcomes: outcomes)
        }
        return ([], derived)
    }

    // MARK: Material

    static func material(rate: Int) async throws -> Material {
        let espeak = try EspeakTTS(sampleRate: rate)
        let millisecond = rate / 1000
        var clean = [Float](repeating: 0, count: leadMilliseconds * millisecond)
        var placements: [Range<Int>] = []
        for phrase in VoiceFixtures.phrases {
            let speech = try await VoiceFixtures.speech(phrase, espeak: espeak)
            guard speech.sampleRate == rate else { throw BenchFailure("espeak-ng spoke at \(speech.sampleRate) Hz, not \(rate)") }
            placements.append(clean.count..<clean.count + speech.samples.count)
            clean += speech.floatSamples + [Float](repeating: 0, count: gapMilliseconds * millisecond)
        }
        let tailStart = clean.count
        let frameLength = rate * frameMilliseconds / 1000
        let total = ((tailStart + tailMilliseconds * millisecond) / frameLength) * frameLength
        clean += [Float](repeating: 0, count: total - clean.count)

        let hop = rate / 100
        let levels = stride(from: 0, to: clean.count, by: hop).map { rms(clean[$0..<$0 + hop]) }
        let peak = levels.max() ?? 0
        let hopIsSpeech = levels.map { $0 > peak * 0.0178 && $0 > 0.003 }
        let active = zip(levels, hopIsSpeech).filter(\.1).map(\.0)
        let activeRMS = (active.reduce(0) { $0 + $1 * $1 } / Double(max(1, active.count))).squareRoot()
        let truth = (0..<clean.count / frameLength).map { hopIsSpeech[2 * $0] || hopIsSpeech[2 * $0 + 1] }
        let utterances = try placements.map { placement in
            let hops = (placement.lowerBound / hop)..<(placement.upperBound / hop)
            guard let first = hops.first(where: { hopIsSpeech[$0] }), let last = hops.last(where: { hopIsSpeech[$0] }) else {
                throw BenchFailure("a phrase has no hop labelled speech")
            }
            return (first * hop)..<((last + 1) * hop)
        }
        var conditions: [Condition] = []
        for level in speechLevels {
            let speechRMS = pow(10, level / 20)
            let gain = Float(speechRMS / activeRMS)
            for (kindIndex, kind) in Noise.allCases.enumerated() {
                for snr in signalToNoise {
                    let seed = UInt64(rate + kindIndex * 100 + Int(snr) - Int(level) * 1_000)
                    let noise = noise(kind, count: clean.count, rms: speechRMS / pow(10, snr / 20), seed: seed, rate: rate)
                    let mixed = AudioFrame(floatSamples: zip(clean, noise).map { $0 * gain + $1 }, sampleRate: rate)
                    conditions.append(Condition(level: level, noise: kind, snr: snr,
                                                frames: mixed.chunked(milliseconds: frameMilliseconds)))
                }
            }
        }
        let noiseOnlyStart = (tailStart + tailSettleMilliseconds * millisecond + frameLength - 1) / frameLength
        return Material(rate: rate, truth: truth, utterances: utterances,
                        noiseOnlyFrames: noiseOnlyStart..<truth.count, conditions: conditions)
    }

    /// Stationary noise at `rms` (full scale 1): uniform white; pink by Kellet's 1/f filter bank on
    /// white; mains hum at 50 Hz with harmonics up to 350 Hz (the AudioTests VAD suite's signals).
    static func noise(_ kind: Noise, count: Int, rms target: Double, seed: UInt64, rate: Int) -> [Float] {
        var random = SplitMix64(seed: seed)
        var values: [Double]
        switch kind {
        case .white:
            values = (0..<count).map { _ in Double.random(in: -1...1, using: &random) }
        case .pink:
            var b = [Double](repeating: 0, count: 7)
            values = (0..<count).map { _ in
                let white = Double.random(in: -1...1, using: &random)
                b[0] = 0.99886 * b[0] + white * 0.0555179
                b[1] = 0.99332 * b[1] + white * 0.0750759
                b[2] = 0.96900 * b[2] + white * 0.1538520
                b[3] = 0.86650 * b[3] + white * 0.3104856
                b[4] = 0.55000 * b[4] + white * 0.5329522
                b[5] = -0.7616 * b[5] - white * 0.0168980
                let output = b.reduce(0, +) + white * 0.5362
                b[6] = white * 0.115926
                return output
            }
        case .hum:
            let partials: [(hertz: Double, amplitude: Double)] =
                [(50, 1), (100, 0.5), (150, 0.35), (200, 0.2), (250, 0.15), (350, 0.08)]
            values = (0..<count).map { index in
                partials.reduce(0) { $0 + $1.amplitude * sin(2 * .pi * $1.hertz * Double(index) / Double(rate)) }
            }
        }
        let current = (values.reduce(0) { $0 + $1 * $1 } / Double(max(1, count))).squareRoot()
        return values.map { Float($0 * target / max(current, 1e-12)) }
    }

    private static func rms(_ values: ArraySlice<Float>) -> Double {
        (values.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, values.count))).squareRoot()
    }

    // MARK: Running a detector

    static func measure(_ detector: Detector, on condition: Condition, material: Material) throws -> Outcome {
        let frames = condition.frames
        var decisions = [Bool](repeating: false, count: frames.count)
        var cpu: [Double] = []
        let perSecond = 1000 / frameMilliseconds
        func timed(_ decide: (AudioFrame) throws -> Bool) rethrows {
            for second in stride(from: 0, to: frames.count - perSecond + 1, by: perSecond) {
                let start = CPUClock.thread()
                for index in second..<second + perSecond { decisions[index] = try decide(frames[index]) }
                cpu.append(CPUClock.thread() - start)
            }
        }
        switch detector {
        case .ours:
            var vad = try VoiceActivityDetector(configuration: .init(sampleRate: material.rate))
            try timed { frame in
                var event = try vad.process(frame)
                while event != nil { event = vad.pollEvent() }
                return vad.speechProbability >= vad.configuration.activationThreshold
            }
        case .webRTC(let mode):
            let vad = try WebRTCVAD(mode: mode, sampleRate: material.rate)
            guard vad.accepts(frameLength: material.frameLength) else {
                throw BenchFailure("WebRTC's VAD refuses \(material.frameLength)-sample frames at \(material.rate) Hz")
            }
            try timed { frame in try vad.isSpeech(frame.samples) }
        }
        return score(decisions, material: material, cpu: cpu)
    }

    static func score(_ decisions: [Bool], material: Material, cpu: [Double]) -> Outcome {
        var truePositive = 0, falsePositive = 0, falseNegative = 0
        for (decided, truth) in zip(decisions, material.truth) {
            if decided && truth { truePositive += 1 } else if decided { falsePositive += 1 } else if truth { falseNegative += 1 }
        }
        let noiseOnly = material.noiseOnlyFrames
        let flaggedNoise = decisions[noiseOnly].filter { $0 }.count

        // The shared smoothing: 5 speech frames start a segment, 20 non-speech frames end it.
        var speaking = [Bool](repeating: false, count: decisions.count)
        var isSpeaking = false, run = 0, segments = 0
        for (index, decided) in decisions.enumerated() {
            if isSpeaking {
                run = decided ? 0 : run + 1
                if run >= minSilenceFrames { isSpeaking = false; run = 0 }
            } else {
                run = decided ? run + 1 : 0
                if run >= minSpeechFrames { isSpeaking = true; run = 0; segments += 1 }
            }
            speaking[index] = isSpeaking
        }
        let frameLength = material.frameLength
        var latencies: [Double] = [], missed = 0, alreadyOn = 0
        for utterance in material.utterances {
            let frames = (utterance.lowerBound / frameLength)..<((utterance.upperBound + frameLength - 1) / frameLength)
            if frames.lowerBound > 0 && speaking[frames.lowerBound - 1] {
                alreadyOn += 1
            } else if let first = frames.first(where: { speaking[$0] }) {
                latencies.append(Double((first + 1) * frameLength - utterance.lowerBound) / Double(material.rate))
            } else {
                missed += 1
            }
        }
        return Outcome(precision: Double(truePositive) / Double(max(1, truePositive + falsePositive)),
                       recall: Double(truePositive) / Double(max(1, truePositive + falseNegative)),
                       falsePositiveRate: Double(flaggedNoise) / Double(max(1, noiseOnly.count)),
                       segments: segments, latencies: latencies, missed: missed, alreadyOn: alreadyOn,
                       cpuPerSecond: cpu)
    }

    // MARK: Rows

    private static func rows(rate: Int, material: Material, outcomes: [Detector: [Outcome]]) -> [DerivedRow] {
        let benchmark = "\(name), \(rate / 1000) kHz"
        let conditions = material.conditions.count
        let utterances = conditions * material.utterances.count
        var rows: [DerivedRow] = []

        /// Higher is better: median, then the low tail (10th and 1st percentile) in the p90/p99 columns.
        func percentRow(_ metric: String, _ detector: Detector, _ value: (Outcome) -> Double, target: String) -> DerivedRow {
            let mine = lowTail(outcomes[detector]!.map { value($0) * 100 })
            let base = lowTail(outcomes[Detector.baseline]!.map { value($0) * 100 })
            return DerivedRow(benchmark: benchmark, scenario: "\(metric): \(detector.label)", count: conditions,
                              median: mine.median, p90: mine.p90, p99: mine.p99,
                              ratio: versus(detector, points: (mine.median - base.median, mine.p99 - base.p99)),
                              target: target, unit: .percent)
        }
        /// Lower is better: median, p90, p99 as usual.
        func sampleRow(_ metric: String, _ detector: Detector, unit: DerivedRow.Unit, scale: Double = 1,
                       _ values: (Outcome) -> [Double], target: (Samples) -> String) -> DerivedRow {
            var mine = Samples(), base = Samples()
            for outcome in outcomes[detector]! { for value in values(outcome) { mine.add(seconds: value * scale) } }
            for outcome in outcomes[Detector.baseline]! { for value in values(outcome) { base.add(seconds: value * scale) } }
            let ratio = detector == Detector.baseline || base.median == 0 || base.p99 == 0
                ? (detector == Detector.baseline ? "baseline" : "–")
                : "\(Report.ratio(mine.median / base.median)) / \(Report.ratio(mine.p99 / base.p99))"
            return DerivedRow(benchmark: benchmark, scenario: "\(metric): \(detector.label)", count: mine.count,
                              median: mine.median, p90: mine.p90, p99: mine.p99, ratio: ratio,
                              target: target(mine), unit: unit)
        }

        for detector in Detector.all {
            rows.append(percentRow("Frame precision (p90/p99 columns: worst 10 % / 1 % of conditions)", detector,
                                   \.precision, target: "higher is better"))
        }
        for detector in Detector.all {
            rows.append(percentRow("Frame recall (p90/p99 columns: worst 10 % / 1 % of conditions)", detector,
                                   \.recall, target: "higher is better"))
        }
        for detector in Detector.all {
            rows.append(sampleRow("False positives on noise only (share of tail frames)", detector, unit: .percent,
                                  scale: 100, { [$0.falsePositiveRate] }, target: { _ in "lower is better" }))
        }
        for detector in Detector.all {
            rows.append(sampleRow("Segments per spoken phrase after smoothing (1.00 = no fragmentation)", detector,
                                  unit: .number, scale: 1 / Double(material.utterances.count),
                                  { [Double($0.segments)] }, target: { _ in "1.00 ideal; above = extra or split segments" }))
        }
        for detector in Detector.all {
            let missed = outcomes[detector]!.reduce(0) { $0 + $1.missed }
            let alreadyOn = outcomes[detector]!.reduce(0) { $0 + $1.alreadyOn }
            rows.append(sampleRow("Onset latency after smoothing (true onset → speaking)", detector, unit: .seconds,
                                  { $0.latencies }, target: { _ in
                                      "of \(utterances) phrases: \(missed) missed, \(alreadyOn) inside a false segment (not timed)" }))
        }
        for detector in Detector.all {
            let failed = zip(material.conditions, outcomes[detector]!).filter { Self.failed($0.1) }
            let byLevel = speechLevels.map { level in
                "\(failed.filter { $0.0.level == level }.count) at \(Int(level)) dBFS"
            }
            let base = outcomes[Detector.baseline]!.filter(Self.failed).count
            rows.append(DerivedRow(benchmark: benchmark, scenario: "Conditions failed (noise-only false positives > 5 %, "
                                   + "recall < 50 % or precision < 80 %): \(detector.label)", count: conditions,
                                   median: Double(failed.count), p90: .nan, p99: .nan,
                                   ratio: detector == Detector.baseline ? "baseline" : "mode 3: \(base)",
                                   target: "of \(conditions): " + byLevel.joined(separator: ", "), unit: .count))
        }
        for detector in Detector.all {
            rows.append(sampleRow("CPU per 1 s of audio (thread CPU time)", detector, unit: .seconds,
                                  { $0.cpuPerSecond }, target: { String(format: "%.3f %% of a core (median)", $0.median * 100) }))
        }
        return rows
    }

    /// A condition the detector gets badly wrong: it keeps calling noise speech, misses most of the
    /// speech, or a fifth of what it calls speech is not.
    static func failed(_ outcome: Outcome) -> Bool {
        outcome.falsePositiveRate > 0.05 || outcome.recall < 0.5 || outcome.precision < 0.8
    }

    /// Median and the 10th and 1st percentiles (nearest rank) of higher-is-better values.
    private static func lowTail(_ values: [Double]) -> (median: Double, p90: Double, p99: Double) {
        var flipped = Samples()
        for value in values { flipped.add(seconds: -value) }
        return (-flipped.median, -flipped.p90, -flipped.p99)
    }

    private static func versus(_ detector: Detector, points: (median: Double, tail: Double)) -> String {
        guard detector != Detector.baseline else { return "baseline" }
        return String(format: "%+.1f / %+.1f pp", points.median, points.tail)
    }
}
