import Agents
import Audio
import Foundation
import Providers
import Synchronization
import TestSupport
import Testing
@testable import Voice

/// The README: "A caller's barge-in never counts against a provider", and "a turn that ends
/// without words gets the apology", spoken in the agent's voice. Driven through `AgentSession`.
@Suite("AgentSession: barge-in and the routers' health; the apology's voice", .serialized,
       .timeLimit(.minutes(2)))
struct BargeInRouterHealthTests {
    /// A breaker that opens on a single counted failure: any blame for the barge-in shows.
    static var touchy: ProviderPolicy {
        var policy = ProviderPolicy(maxRetries: 0)
        policy.breaker = BreakerPolicy(consecutiveFailures: 1, cooldown: .seconds(300))
        policy.firstTokenDeadline = .seconds(30)
        policy.idleTimeout = .seconds(30)
        return policy
    }

    @Test func bargeInLeavesTheLLMAndTTSRoutersHealthy() async throws {
        // "Hello." is a whole sentence at once, so speech is being synthesized when the user talks over it.
        let llm = SlowLLM(words: ["Hello."] + (2...60).map { "word\($0)" }, interval: .milliseconds(100))
        let llmRouter = FallbackRouter<LLMCapability>(
            name: "llm", members: [ChainMember(name: "slow-llm", service: llm, policy: Self.touchy)])
        let tts = SlowTTS()
        let ttsRouter = FallbackRouter<TTSCapability>(
            name: "tts", members: [ChainMember(name: "slow-tts", service: tts, policy: Self.touchy)])
        let stt = FallbackRouter<STTCapability>(
            name: "stt", members: [ChainMember(name: "fixed", service: FixedSTT(text: "stop"), policy: .lastResort)])
        let session = try AgentSession(agent: PlainAgent(), llm: FallbackLLM(router: llmRouter), stt: stt,
                                       tts: ttsRouter, options: AgentSessionOptions(pacing: .realTime))
        let interruption = VoiceFixtures.noisy(try await VoiceFixtures.speech("stop, stop, please stop now"))
        let input = VoiceFixtures.concatenate([VoiceFixtures.roomNoise(milliseconds: 1_000), interruption,
                                               VoiceFixtures.roomNoise(milliseconds: 800)])
        async let answer: String = session.respond(to: "talk for a while")
        await session.run(input: VoiceFixtures.frames(input, paced: true))
        _ = await answer
        await session.close()

        #expect(await session.lastBargeIn != nil, "the user's speech was a barge-in")
        #expect(llm.terminatedAt != nil, "the LLM stream was abandoned")
        #expect(tts.cancellations >= 1, "the TTS stream was in flight and abandoned")
        for (name, health) in [("slow-llm", await llmRouter.health("slow-llm")),
                               ("slow-tts", await ttsRouter.health("slow-tts"))] {
            let health = try #require(health, "\(name)")
            #expect(health.breaker.consecutiveFailures == 0, "\(name): the barge-in was counted as a failure")
            #expect(health.breaker.state == .closed, "\(name)")
            #expect(health.lastError == nil, "\(name): \(health.lastError ?? "")")
            #expect(health.state(now: Date()) == .available, "\(name)")
        }
    }

    @Test func apologyIsSpokenInTheAgentsVoice() async throws {
        let tts = VoiceRecordingTTS()
        var agent = VoicedAgent()
        agent.voiceName = "en-gb-x-rp"
        let session = try AgentSession(agent: agent, llm: BrokenLLM(),
                                       tts: VoiceFixtures.ttsChain(tts), options: AgentSessionOptions(pacing: .unpaced))
        let reply = await session.respond(to: "hello?")
        await session.close()
        let apology = AgentSessionOptions().apology
        #expect(reply == apology)
        let spoken = tts.requests.filter { apology.hasPrefix($0.text) || $0.text.hasPrefix("Sorry") }
        #expect(!spoken.isEmpty, "the apology was spoken: \(tts.requests)")
        for request in spoken { #expect(request.voice == "en-gb-x-rp", "\(request)") }
    }
}

/// An agent with a configured voice.
struct VoicedAgent: VoiceAgent {
    var name = "voiced"
    var instructions = "You are a test agent."
    var tools: [any Tool] = []
    var greeting: String?
    var voiceName: String?
    var preferences: AgentPreferences { AgentPreferences(voice: voiceName) }
}

/// A tone TTS that records each text with the voice it was asked for.
final class VoiceRecordingTTS: TTS, Sendable {
    let providerName = "voice-recording"
    let sampleRate = 48_000
    private let recorded = Mutex<[(text: String, voice: String?)]>([])
    var requests: [(text: String, voice: String?)] { recorded.withLock { $0 } }

    func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
        recorded.withLock { $0.append((text, voice)) }
        return ToneTTS(secondsPerSentence: 0.2).synthesize(text, voice: voice)
    }
}

/// A TTS that renders 5 s of tone per text at real-time speed (100 ms frames every 100 ms), counting
/// the streams its consumer abandoned.
final class SlowTTS: TTS, Sendable {
    let providerName = "slow-tts"
    let sampleRate = 48_000
    private let cancelled = Mutex(0)
    var cancellations: Int { cancelled.withLock { $0 } }
    private func noteCancelled() { cancelled.withLock { $0 += 1 } }

    func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
        let (stream, continuation) = AsyncThrowingStream<AudioFrame, any Error>.makeStream()
        // Unstructured: plays the frames; cancelled through onTermination when the consumer stops.
        let task = Task {
            for _ in 0..<50 {
                do { try await Task.sleep(for: .milliseconds(100)) } catch { return }
                let samples = (0..<4_800).map { Int16(8_000 * sin(2 * Double.pi * 440 * Double($0) / 48_000)) }
                continuation.yield(AudioFrame(samples: samples, sampleRate: 48_000))
            }
            continuation.finish()
        }
        continuation.onTermination = { [self] termination in
            if case .cancelled = termination { noteCancelled() }
            task.cancel()
        }
        return stream
    }
}
