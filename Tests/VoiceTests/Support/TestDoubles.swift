import Agents
import Audio
import Foundation
import Providers
import Synchronization

/// An LLM that is always down, like a provider answering 503.
struct BrokenLLM: LLM {
    let providerName = "broken"
    var model: String { get async { "broken-model" } }
    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        AsyncThrowingStream { $0.finish(throwing: ProviderError(.server, "503 Service Unavailable", provider: "broken")) }
    }
}

/// A TTS that renders each text as a steady tone, `secondsPerSentence` long, in 100 ms frames,
/// so tests know exactly how much audio each sentence has.
struct ToneTTS: TTS {
    let providerName = "tone"
    let sampleRate = 48_000
    var secondsPerSentence = 1.0

    func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
        let total = Int(secondsPerSentence * Double(sampleRate))
        return AsyncThrowingStream { continuation in
            guard !text.isEmpty else { return continuation.finish() }
            for start in stride(from: 0, to: total, by: 4_800) {
                let samples = (start..<min(total, start + 4_800)).map {
                    Int16(8_000 * sin(2 * Double.pi * 440 * Double($0) / Double(sampleRate)))
                }
                continuation.yield(AudioFrame(samples: samples, sampleRate: sampleRate))
            }
            continuation.finish()
        }
    }
}

struct PlainAgent: VoiceAgent {
    var name = "plain"
    var instructions = "You are a test agent."
    var tools: [any Tool] = []
    var greeting: String?
}

/// A tone TTS that records every text it was asked to speak.
final class RecordingTTS: TTS, Sendable {
    let providerName = "recording"
    let sampleRate = 48_000
    private let tone = ToneTTS(secondsPerSentence: 0.2)
    private let recorded = Mutex<[String]>([])

    var texts: [String] { recorded.withLock { $0 } }

    func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
        recorded.withLock { $0.append(text) }
        return tone.synthesize(text, voice: voice)
    }
}

/// An LLM whose first answer streams one word every `interval`, recording when that stream was
/// abandoned (a barge-in must stop it promptly); later calls answer "Okay." at once.
final class SlowLLM: LLM, Sendable {
    let providerName = "slow"
    var model: String { get async { "slow-model" } }
    let words: [String]
    let interval: Duration
    private let terminated = Mutex<ContinuousClock.Instant?>(nil)
    private let calls = Mutex(0)
    private let sent = Mutex(0)

    init(words: [String], interval: Duration) {
        self.words = words
        self.interval = interval
    }

    var terminatedAt: ContinuousClock.Instant? { terminated.withLock { $0 } }
    /// Words of the first answer yielded before the stream ended or was abandoned.
    var wordsSent: Int { sent.withLock { $0 } }

    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<LLMEvent, any Error>.makeStream()
        let first = calls.withLock { count in
            count += 1
            return count == 1
        }
        guard first else {
            continuation.yield(.textDelta("Okay."))
            continuation.yield(.finish(.stop))
            continuation.finish()
            return stream
        }
        let words = self.words
        let interval = self.interval
        // Unstructured: plays the script; cancelled through onTermination when the consumer stops.
        let task = Task { [self] in
            for (index, word) in words.enumerated() {
                do { try await Task.sleep(for: interval) } catch { return }
                continuation.yield(.textDelta(index == 0 ? word : " " + word))
                sent.withLock { $0 += 1 }
            }
            continuation.yield(.finish(.stop))
            continuation.finish()
        }
        continuation.onTermination = { [self] _ in
            terminated.withLock { if $0 == nil { $0 = .now } }
            task.cancel()
        }
        return stream
    }
}

/// A TTS that speaks every text as a tone whose pitch the test chooses per text, `seconds` long, so
/// a test can tell from the output frames whose speech they carry.
struct PitchTTS: TTS {
    let providerName = "pitch"
    let sampleRate = 48_000
    var seconds = 0.5
    let hertz: @Sendable (String) -> Double

    init(seconds: Double = 0.5, hertz: @escaping @Sendable (String) -> Double) {
        self.seconds = seconds
        self.hertz = hertz
    }

    func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
        let frequency = hertz(text)
        let count = Int(seconds * 48_000)
        return AsyncThrowingStream { continuation in
            let samples = (0..<count).map { Int16(8_000 * sin(2 * Double.pi * frequency * Double($0) / 48_000)) }
            continuation.yield(AudioFrame(samples: samples))
            continuation.finish()
        }
    }

    /// Zero crossings in a 20 ms frame: 12 for 300 Hz, 36 for 900 Hz.
    static func crossings(_ frame: AudioFrame) -> Int {
        zip(frame.samples, frame.samples.dropFirst()).filter { ($0 < 0) != ($1 < 0) }.count
    }
}
