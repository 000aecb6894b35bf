import Agents
import Audio
import Foundation
import Providers
import Synchronization

/// An LLM that plays one script per call and records the requests it was sent.
final class ScriptedLLM: LLM, Sendable {
    enum Step: Sendable {
        case text(String)
        case tool(ToolCall)
    }

    let providerName = "scripted"
    var model: String { get async { "scripted-model" } }
    private let script: @Sendable (_ call: Int, _ request: LLMRequest) -> [Step]
    private let recorded = Mutex<[LLMRequest]>([])

    init(script: @escaping @Sendable (_ call: Int, _ request: LLMRequest) -> [Step]) { self.script = script }

    convenience init(replies: [String]) {
        self.init { call, _ in [.text(replies[min(call, replies.count - 1)])] }
    }

    var requests: [LLMRequest] { recorded.withLock { $0 } }

    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        let call = recorded.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        let steps = script(call, request)
        return AsyncThrowingStream { continuation in
            for step in steps {
                switch step {
                case .text(let text):
                    // Word by word, as a provider streams.
                    for word in text.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
                        continuation.yield(.textDelta(word.offset == 0 ? String(word.element) : " " + word.element))
                    }
                case .tool(let call): continuation.yield(.toolCall(call))
                }
            }
            continuation.yield(.finish(.stop))
            continuation.finish()
        }
    }
}

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
