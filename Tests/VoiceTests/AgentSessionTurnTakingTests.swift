import Agents
import Audio
import Providers
import TestSupport
import Testing
@testable import Voice

/// The session's own turn-taking on its output: one speaker at a time.
@Suite("AgentSession output turn-taking", .timeLimit(.minutes(3)))
struct AgentSessionTurnTakingTests {
    /// A reply that is ready while the greeting is still playing waits for it: the two never
    /// interleave their frames.
    @Test func aReplyWaitsForTheGreetingToFinish() async throws {
        // A 2 s greeting, so the question reliably lands while it plays, even on a loaded machine.
        let tts = PitchTTS(seconds: 2) { $0.contains("Welcome") ? 300 : 900 }
        let session = try AgentSession(agent: PlainAgent(greeting: "Welcome to the test."),
                                       llm: ScriptedTurnLLM(replies: ["Here is the answer."]),
                                       tts: VoiceFixtures.ttsChain(tts), options: AgentSessionOptions(pacing: .realTime))
        let output = Collector(session.audioOutput)
        async let greeted: Void = session.start()
        // Ask as soon as the greeting is audibly playing (its first voiced frame), not after a guessed sleep.
        _ = await output.first { PitchTTS.crossings($0) > 4 }
        let asked = ContinuousClock.now
        let reply = await session.respond(to: "a question while the greeting plays")
        await greeted
        await session.close()
        await output.finished()

        #expect(reply == "Here is the answer.")
        let pitches = output.all.map { PitchTTS.crossings($0) }.filter { $0 > 4 }.map { $0 < 24 ? "greeting" : "reply" }
        let runs = pitches.reduce(into: [String]()) { runs, pitch in if runs.last != pitch { runs.append(pitch) } }
        #expect(runs == ["greeting", "reply"], "output alternated: \(runs.prefix(10))")
        #expect(pitches.filter { $0 == "greeting" }.count >= 95, "the whole 2 s greeting played")
        // Otherwise the test proves nothing: the question must have come while the greeting was playing.
        let greetingEnd = try #require(output.timed.last { (4..<24).contains(PitchTTS.crossings($0.element)) }?.at)
        #expect(asked < greetingEnd, "the question came after the greeting had ended")
    }
}
