import Audio
import Foundation
import Testing
import TestSupport

@Suite("Voice activity detector", .serialized, .timeLimit(.minutes(10)))
struct VoiceActivityDetectorTests {
    enum Noise: String, CaseIterable, Sendable { case white, pink, hum }

    static func noise(_ kind: Noise, count: Int, rms: Double, seed: UInt64 = 3, rate: Int = 48_000) -> [Float] {
        switch kind {
        case .white: TestSignals.whiteNoise(count: count, rms: rms, seed: seed)
        case .pink: TestSignals.pinkNoise(count: count, rms: rms, seed: seed)
        case .hum: TestSignals.hum(count: count, rms: rms, rate: rate)
        }
    }

    /// Two utterances with silence around and between them, plus where each truly starts (sample offsets)
    /// and per-10 ms labels from the clean signal's energy.
    struct Scene {
        let clean: [Float]
        let onsets: [Int]
        let labels: [Bool]
        let activeRMS: Double
    }

    static func scene(rate: Int) async throws -> Scene {
        let first = try await SpeechFixtures.speech("Hello there, this is a test of the detector.", rate: rate)
        let second = try await SpeechFixtures.speech("Please call me back tomorrow morning.", rate: rate)
        let gap = [Float](repeating: 0, count: rate * 3 / 2)
        let lead = [Float](repeating: 0, count: rate)
        let clean = lead + first.floatSamples + gap + second.floatSamples + lead
        let hop = rate / 100
        let levels = stride(from: 0, to: clean.count - hop + 1, by: hop).map { TestSignals.rms(clean[$0..<$0 + hop]) }
        let peak = levels.max() ?? 0
        // A hop is speech when it is within 35 dB of the loudest hop (and not near-silent in absolute terms).
        let labels = levels.map { $0 > peak * 0.0178 && $0 > 0.003 }
        let active = zip(levels, labels).filter(\.1).map(\.0)
        let activeRMS = (active.reduce(0) { $0 + $1 * $1 } / Double(max(1, active.count))).squareRoot()
        let secondStart = lead.count + first.samples.count + gap.count
        func firstLabelled(from offset: Int) -> Int {
            (offset / hop..<labels.count).first { labels[$0] }.map { $0 * hop } ?? offset
        }
        return Scene(clean: clean, onsets: [firstLabelled(from: lead.count), firstLabelled(from: secondStart)],
                     labels: labels, activeRMS: activeRMS)
    }

    struct Run {
        var events: [VADEvent] = []
        var decisions: [Bool] = []   // per 20 ms frame, probability ≥ threshold
        var speaking: [Bool] = []    // per 20 ms frame, inside a segment
    }

    static func run(_ samples: [Float], rate: Int, frameMilliseconds: Int = 20) throws -> Run {
        var detector = try VoiceActivityDetector(configuration: .init(sampleRate: rate))
        var result = Run()
        for frame in AudioFrame(floatSamples: samples, sampleRate: rate).chunked(milliseconds: frameMilliseconds) {
            if let event = try detector.process(frame) { result.events.append(event) }
            while let event = detector.pollEvent() { result.events.append(event) }
            result.decisions.append(detector.speechProbability >= 0.5)
            result.speaking.append(detector.isSpeaking)
        }
        if let event = detector.finish() { result.events.append(event) }
        return result
    }

    /// Precision and recall of per-frame decisions against the clean-speech labels (two hops a frame).
    static func accuracy(_ decisions: [Bool], labels: [Bool]) -> (precision: Double, recall: Double) {
        var truePositive = 0, falsePositive = 0, falseNegative = 0
        for (index, decided) in decisions.enumerated() where index * 2 + 1 < labels.count {
            let truth = labels[index * 2] || labels[index * 2 + 1]
            if decided && truth { truePositive += 1 } else if decided { falsePositive += 1 } else if truth { falseNegative += 1 }
        }
        return (Double(truePositive) / Double(max(1, truePositive + falsePositive)),
                Double(truePositive) / Double(max(1, truePositive + falseNegative)))
    }

    static let conditions: [(Noise, Double)] = [(.white, 20), (.white, 10), (.white, 5), (.pink, 20), (.pink, 10), (.pink, 5), (.hum, 5)]

    @Test(arguments: [48_000, 16_000])
    func findsBothUtterancesInNoiseAtEverySNR(rate: Int) async throws {
        let scene = try await Self.scene(rate: rate)
        for (kind, snr) in Self.conditions {
            let noiseRMS = scene.activeRMS / pow(10, snr / 20)
            let noise = Self.noise(kind, count: scene.clean.count, rms: noiseRMS, seed: UInt64(snr), rate: rate)
            let mixed = zip(scene.clean, noise).map { $0 + $1 }
            let result = try await offThePool { try Self.run(mixed, rate: rate) }
            let starts = result.events.compactMap { if case .speechStarted(let at) = $0 { at } else { nil } }
            let ends = result.events.compactMap { if case .speechEnded(let at, _) = $0 { at } else { nil } }
            let frameLevel = Self.accuracy(result.decisions, labels: scene.labels)
            let segmentLevel = Self.accuracy(result.speaking, labels: scene.labels)
            print(String(format: "VAD %d Hz %@ %2.0f dB: frame P %.2f R %.2f | segment P %.2f R %.2f | starts %@ (true %@)",
                         rate, kind.rawValue, snr, frameLevel.precision, frameLevel.recall,
                         segmentLevel.precision, segmentLevel.recall, "\(starts)", "\(scene.onsets)"))
            let tolerance = rate / 10   // 100 ms
            for onset in scene.onsets {
                #expect(starts.contains { abs($0 - onset) <= tolerance },
                        "\(kind) \(snr) dB: onset \(onset) not found among \(starts)")
            }
            #expect(ends.count == starts.count && ends.count >= 2, "\(kind) \(snr) dB: ends \(ends), starts \(starts)")
            let durations = result.events.compactMap { if case .speechEnded(_, let length) = $0 { length } else { nil } }
            #expect(durations.allSatisfy { $0 > .milliseconds(500) && $0 < .seconds(5) }, "\(kind) \(snr) dB: \(durations)")
            #expect(starts.count <= 4, "\(kind) \(snr) dB: fragmented into \(starts.count) segments")
            #expect(frameLevel.precision > 0.8 && frameLevel.recall > 0.5, "\(kind) \(snr) dB: \(frameLevel)")
        }
    }

    @Test(arguments: Noise.allCases)
    func loudSteadyNoiseAloneIsNeverSpeech(kind: Noise) async throws {
        for rate in [48_000, 16_000] {
            // −16 dBFS RMS: louder than most speech recordings.
            let result = try await offThePool { try Self.run(Self.noise(kind, count: rate * 8, rms: 0.16, rate: rate), rate: rate) }
            #expect(result.events.isEmpty, "\(kind) at \(rate) Hz: \(result.events)")
        }
    }

    @Test func noiseThatStartsMidStreamIsAbsorbed() async throws {
        // Silence, then a fan switches on: a brief false start is tolerable, staying in speech is not.
        let samples = [Float](repeating: 0, count: 48_000) + Self.noise(.pink, count: 48_000 * 8, rms: 0.1)
        let result = try await offThePool { try Self.run(samples, rate: 48_000) }
        #expect(result.speaking.suffix(150).allSatisfy { !$0 }, "still 'speaking' 5 s after the noise began")
    }

    @Test func tenMillisecondFramesGiveTheSameEvents() async throws {
        let scene = try await Self.scene(rate: 16_000)
        let clean = scene.clean
        let twenty = try await offThePool { try Self.run(clean, rate: 16_000, frameMilliseconds: 20).events }
        let ten = try await offThePool { try Self.run(clean, rate: 16_000, frameMilliseconds: 10).events }
        #expect(ten == twenty)
        #expect(twenty.count >= 4)
    }

    @Test func minimumSpeechDurationIgnoresClicks() throws {
        func events(click milliseconds: Int, minimum: Duration) throws -> [VADEvent] {
            var detector = try VoiceActivityDetector(configuration: .init(sampleRate: 16_000, minSpeechDuration: minimum))
            var events: [VADEvent] = []
            let quiet = AudioFrame(floatSamples: TestSignals.whiteNoise(count: 16_000, rms: 0.001, seed: 1), sampleRate: 16_000)
            let click = TestSignals.tone(hertz: 1_000, milliseconds: milliseconds, rate: 16_000)
            for frame in [quiet, click, quiet].flatMap({ $0.chunked(milliseconds: 10) }) {
                if let event = try detector.process(frame) { events.append(event) }
            }
            return events
        }
        #expect(try events(click: 60, minimum: .milliseconds(150)).isEmpty, "a 60 ms burst is not speech with a 150 ms minimum")
        // Positive controls: the detector does hear that burst when the minimum allows it, and a
        // burst longer than the minimum passes it.
        #expect(try events(click: 60, minimum: .milliseconds(20)).contains { if case .speechStarted = $0 { true } else { false } })
        #expect(try events(click: 400, minimum: .milliseconds(150)).contains { if case .speechStarted = $0 { true } else { false } })
    }

    @Test func wrongFormatIsAnError() throws {
        #expect(throws: AudioError.self) { try VoiceActivityDetector(configuration: .init(sampleRate: 44_100)) }
        #expect(throws: AudioError.self) { try VoiceActivityDetector(configuration: .init(activationThreshold: 2)) }
        var detector = try VoiceActivityDetector()
        #expect(throws: AudioError.self) { try detector.process(.silence(milliseconds: 20, sampleRate: 16_000)) }
        #expect(throws: AudioError.self) { try detector.process(.silence(milliseconds: 20, channels: 2)) }
        #expect(try detector.process(.silence(milliseconds: 20)) == nil)
        #expect(detector.speechProbability < 0.5)
    }
}
