import Agents
import Audio
import Foundation
import Providers
import TestSupport
import Testing
@testable import Voice

/// Barge-in edge cases in real time: speech while the agent is still thinking, and speech too
/// short to count as an interruption.
@Suite("AgentSession interruptions", .serialized, .timeLimit(.minutes(3)))
struct AgentSessionInterruptionTests {
    static func fixedSTT(_ text: String) -> FallbackRouter<STTCapability> {
        FallbackRouter(name: "stt", members: [ChainMember(name: "fixed", service: FixedSTT(text: text), policy: .lastResort)])
    }

    /// The LLM is still streaming when the user talks over it: the barge-in abandons its stream (after
    /// the detection, long before the script would have ended), and the cancelled answer leaves
    /// nothing unheard in the context. The bound is loose for a loaded CI machine: the test proves the
    /// causality, not the latency.
    @Test func bargeInWhileTheLLMStreamsCancelsIt() async throws {
        // 60 words at 100 ms each: the answer would take 6 s; the first clause ends after ~2 s.
        let words = (1...60).map { "word\($0)" }
        let llm = SlowLLM(words: words, interval: .milliseconds(100))
        let session = try AgentSession(agent: PlainAgent(), llm: llm, stt: Self.fixedSTT("stop"),
                                       tts: VoiceFixtures.ttsChain(ToneTTS()), options: AgentSessionOptions(pacing: .realTime))
        let interruption = VoiceFixtures.noisy(try await VoiceFixtures.speech("stop, stop, please stop now"))
        let input = VoiceFixtures.concatenate([VoiceFixtures.roomNoise(milliseconds: 1_000), interruption,
                                               VoiceFixtures.roomNoise(milliseconds: 800)])
        async let answer: String = session.respond(to: "talk for a while")
        await session.run(input: VoiceFixtures.frames(input, paced: true))
        let kept = await answer
        await session.close()

        let detected = try #require(await session.lastBargeIn)
        let abandoned = try #require(llm.terminatedAt, "the LLM stream was never abandoned")
        // `lastBargeIn` is stamped before the session cancels the reply, on the same clock.
        #expect(abandoned >= detected, "abandoned \(detected - abandoned) before the barge-in?")
        // Left alone the script runs ~4.5 s past the detection; 2 s separates the two on any machine.
        #expect(abandoned - detected < .seconds(2), "the LLM ran on for \(abandoned - detected)")
        #expect(llm.wordsSent < words.count, "the LLM streamed its whole answer: nothing was abandoned")
        #expect(!kept.contains("word60"), "the whole answer cannot have been heard: \(kept)")
        let messages = await session.chatContext.messages
        let index = try #require(messages.firstIndex(of: .user("talk for a while")))
        let next = messages[index + 1]
        // Nothing was played yet (the first clause was not complete) or only what was heard.
        #expect(next.role == .user || (next.role == .assistant && words.joined(separator: " ").hasPrefix(next.content)))
    }

    /// A 300 ms blip of speech over the agent is not a barge-in: the reply plays to the end.
    @Test func aShortBlipDoesNotStopTheAgent() async throws {
        let reply = "This is the first sentence. This is the second one. And this is the third."
        let llm = ScriptedTurnLLM(replies: [reply])
        let session = try AgentSession(agent: PlainAgent(), llm: llm, stt: Self.fixedSTT("mm hmm"),
                                       tts: VoiceFixtures.ttsChain(ToneTTS(secondsPerSentence: 1)),
                                       options: AgentSessionOptions(pacing: .realTime))
        let events = Collector(session.events)
        let speech = try await VoiceFixtures.speech("what is the weather in Paris")
        let onset = try #require(speech.samples.firstIndex { abs(Int($0)) > 1_000 })
        let blip = VoiceFixtures.noisy(AudioFrame(samples: Array(speech.samples[onset..<onset + 14_400])))
        let input = VoiceFixtures.concatenate([VoiceFixtures.roomNoise(milliseconds: 1_200), blip,
                                               VoiceFixtures.roomNoise(milliseconds: 2_500)])
        async let answer: String = session.respond(to: "tell me three things")
        await session.run(input: VoiceFixtures.frames(input, paced: true))
        let kept = await answer
        await session.close()
        await events.finished()

        #expect(await session.lastBargeIn == nil)
        #expect(!events.all.contains(.bargeIn))
        #expect(kept == reply, "the reply was cut: \(kept)")
        #expect(events.all.contains(.userStartedSpeaking), "the blip was heard, just not obeyed")
        #expect(llm.requests.count == 1, "the blip did not become a turn of its own")
    }
}
