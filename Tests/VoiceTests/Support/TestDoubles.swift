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
