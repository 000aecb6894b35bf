import Audio
import Foundation
import Providers
import Synchronization
import Transport

/// A scripted STT test double: each call plays the script for its call number, and records the
/// audio it was given so tests can check that a fallback got the same segment.
final class ScriptedSTT: STT, Sendable {
    enum Step: Sendable {
        case answer(String)
        case fail(ErrorClass)
        case wait(Duration)
        /// Never answers (until cancelled).
        case stall
    }

    let providerName: String
    private let script: @Sendable (_ call: Int) -> [Step]
    private let state = Mutex<(calls: Int, audio: [AudioFrame], cancellations: Int)>((0, [], 0))

    init(_ name: String, script: @escaping @Sendable (_ call: Int) -> [Step]) {
        providerName = name
        self.script = script
    }

    static func answering(_ name: String, _ text: String) -> ScriptedSTT { ScriptedSTT(name) { _ in [.answer(text)] } }

    var calls: Int { state.withLock { $0.calls } }
    var receivedAudio: [AudioFrame] { state.withLock { $0.audio } }
    var cancellations: Int { state.withLock { $0.cancellations } }

    func transcribe(_ audio: AudioFrame, language: String?) async throws -> Transcript {
        let call = state.withLock { state in
            state.audio.append(audio)
            defer { state.calls += 1 }
            return state.calls
        }
        do {
            for step in script(call) {
                switch step {
                case .answer(let text): return Transcript(text: text, confidence: 0.9, language: language)
                case .fail(let kind): throw ProviderError(kind, "scripted \(kind.rawValue)", provider: providerName)
                case .wait(let duration): try await Task.sleep(for: duration)
                case .stall: try await Task.sleep(for: .seconds(3600))
                }
            }
        } catch is CancellationError {
            state.withLock { $0.cancellations += 1 }
            throw ProviderError(.cancelled, "cancelled", provider: providerName)
        }
        return .empty(language: language)
    }
}

/// A scripted TTS test double. Every frame it yields is filled with one marker value
/// (`marker * 100 + sentence call`), so a test can tell which provider produced which audio.
final class ScriptedTTS: TTS, Sendable {
    enum Step: Sendable {
        /// One frame of `samples` samples.
        case frame(samples: Int)
        case fail(ErrorClass)
        case wait(Duration)
        case stall
    }

    let providerName: String
    let sampleRate: Int
    let marker: Int16
    private let script: @Sendable (_ call: Int, _ text: String) -> [Step]
    private let state = Mutex<[String]>([])

    init(_ name: String, marker: Int16, sampleRate: Int = 48_000,
         script: @escaping @Sendable (_ call: Int, _ text: String) -> [Step]) {
        providerName = name
        self.marker = marker
        self.sampleRate = sampleRate
        self.script = script
    }

    /// Three 10 ms frames per sentence.
    static func speaking(_ name: String, marker: Int16, sampleRate: Int = 48_000) -> ScriptedTTS {
        ScriptedTTS(name, marker: marker, sampleRate: sampleRate) { _, _ in
            Array(repeating: .frame(samples: sampleRate / 100), count: 3)
        }
    }

    /// The texts it was asked to speak, in order.
    var spokenTexts: [String] { state.withLock { $0 } }

    func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
        let call = state.withLock { texts in
            texts.append(text)
            return texts.count - 1
        }
        let steps = script(call, text)
        let (name, rate, value) = (providerName, sampleRate, marker)
        return .produced { continuation in
            do {
                for step in steps {
                    switch step {
                    case .frame(let count):
                        continuation.yield(AudioFrame(samples: [Int16](repeating: value, count: count), sampleRate: rate))
                    case .fail(let kind): throw ProviderError(kind, "scripted \(kind.rawValue)", provider: name)
                    case .wait(let duration): try await Task.sleep(for: duration)
                    case .stall: try await Task.sleep(for: .seconds(3600))
                    }
                }
            } catch is CancellationError {
                throw ProviderError(.cancelled, "cancelled", provider: name)
            }
        }
    }
}

/// Test policies: `fast` has generous deadlines (a loaded 2-core machine must not turn a healthy
/// double into a timeout); `impatient` gives up after 300 ms, for the member that stalls on purpose.
enum SpeechPolicies {
    static func fast(_ priority: Int = 0, retries: Int = 0) -> ProviderPolicy {
        var policy = ProviderPolicy(priority: priority, maxRetries: retries)
        policy.firstTokenDeadline = .seconds(10)
        policy.idleTimeout = .seconds(10)
        policy.backoff = Backoff(initial: .milliseconds(10), maximum: .milliseconds(50))
        return policy
    }

    static func impatient(_ priority: Int = 0) -> ProviderPolicy {
        var policy = ProviderPolicy(priority: priority, maxRetries: 0)
        policy.firstTokenDeadline = .milliseconds(300)
        policy.idleTimeout = .milliseconds(300)
        policy.backoff = Backoff(initial: .milliseconds(10), maximum: .milliseconds(50))
        return policy
    }
}
