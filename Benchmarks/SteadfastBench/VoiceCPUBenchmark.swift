import Agents
import Audio
import Voice

/// 9. CPU per live voice session (issue 5 §7): CPU time (not wall time) per second of user audio,
/// one sample per second (50 frames of 20 ms at 48 kHz, espeak-ng speech and room noise).
/// - the VAD alone (`VoiceActivityDetector.process`), on this thread's CPU clock;
/// - the `TurnDetector` (VAD, pre-roll history, segments, endpointing), on this thread's CPU clock;
/// - the whole `AgentSession` with instant providers and real-time pacing, on the process CPU clock
///   (every task of the session, its consumers and the feeder), one sample per turn (from 8).
/// Baseline: copying each frame's samples into a buffer, the least any stage does with the audio.
/// Derived: that CPU as a share of one core, and the live sessions one core sustains (1 ÷ share).
enum VoiceCPUBenchmark {
    static let name = "9. CPU per live voice session"

    static func run(_ options: BenchOptions, conversation: VoiceFixtures.Conversation,
                    sessionCPU: Samples) throws -> (rows: [ResultRow], derived: [DerivedRow]) {
        let seconds = conversation.frames.count / VoiceFixtures.framesPerSecond
        progress("\(name): copy, VAD and turn detector over \(seconds) s of audio")
        let frames = Array(conversation.frames.prefix(seconds * VoiceFixtures.framesPerSecond))
        let copy = perSecond(frames) { frame, buffer in
            buffer.append(contentsOf: frame.samples)
            buffer.removeAll(keepingCapacity: true)
        }
        var vad = try VoiceActivityDetector()
        let vadCPU = try perSecond(frames) { frame, _ in
            var event = try vad.process(frame)
            while event != nil { event = vad.pollEvent() }
        }
        var detector = try TurnDetector(settings: TurnSettings(), vad: .init())
        let detectorCPU = try perSecond(frames) { frame, _ in
            try detector.handle(.audio(frame))
            while let output = detector.pollOutput() {
                if case .transcribe(let segment, _) = output {
                    try detector.handle(.transcript(segment: segment, text: VoiceFixtures.transcript))
                }
            }
        }
        let unit = "CPU per 1 s of audio"
        let rows = [
            ResultRow(benchmark: name, scenario: "Baseline: copying 50 frames' samples into a buffer, \(unit)",
                      samples: copy),
            ResultRow(benchmark: name, scenario: "**VAD**: `VoiceActivityDetector.process`, \(unit)",
                      samples: vadCPU, baseline: copy),
            ResultRow(benchmark: name, scenario: "**Turn detector**: `TurnDetector.handle` (VAD + segmenting), \(unit)",
                      samples: detectorCPU, baseline: copy),
            ResultRow(benchmark: name, scenario: "**Whole session**, `.realTime`, instant providers: process \(unit) "
                      + "(one sample per turn)", samples: sessionCPU, baseline: copy),
        ]
        var derived: [DerivedRow] = []
        for (label, samples) in [("VAD", vadCPU), ("Turn detector", detectorCPU), ("Whole session", sessionCPU)] {
            derived += share(label, samples)
        }
        return (rows, derived)
    }

    /// Thread CPU time of `body` over each second of `frames`, in CPU seconds per audio second.
    private static func perSecond(_ frames: [AudioFrame],
                                  _ body: (AudioFrame, inout [Int16]) throws -> Void) rethrows -> Samples {
        var buffer: [Int16] = []
        buffer.reserveCapacity(VoiceFixtures.sampleRate)
        var samples = Samples()
        for second in stride(from: 0, to: frames.count, by: VoiceFixtures.framesPerSecond) {
            let start = CPUClock.thread()
            for frame in frames[second..<(second + VoiceFixtures.framesPerSecond)] { try body(frame, &buffer) }
            samples.add(seconds: CPUClock.thread() - start)
        }
        return samples
    }

    /// "% of one core per live session" and "sessions per core" at each percentile.
    private static func share(_ label: String, _ samples: Samples) -> [DerivedRow] {
        let percent = [samples.median, samples.p90, samples.p99].map { $0 * 100 }
        let sessions = [samples.median, samples.p90, samples.p99].map { 1 / $0 }
        return [
            DerivedRow(benchmark: name, scenario: "\(label): % of one core per live session", count: samples.count,
                       median: percent[0], p90: percent[1], p99: percent[2], ratio: "–",
                       target: "CPU seconds per audio second × 100", unit: .percentOfCore),
            DerivedRow(benchmark: name, scenario: "\(label): live sessions per core", count: samples.count,
                       median: sessions[0], p90: sessions[1], p99: sessions[2], ratio: "–",
                       target: "1 ÷ share of a core (median: " + String(format: "%.0f", sessions[0]) + ")",
                       unit: .sessions),
        ]
    }
}
