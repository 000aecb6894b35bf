import Agents
import Audio
import Providers
import TestSupport
import Testing
@testable import Voice

/// Spoken control of the session: switching the model by voice, and the agent's TTS rewrite.
@Suite("AgentSession voice control")
struct AgentSessionVoiceControlTests {
    /// The headline feature through the audio path: the caller says "switch to the backup", the
    /// primary model calls switchModel, and from the next LLM call the backup answers.
    @Test func theCallerSwitchesTheModelByVoice() async throws {
        let primary = ScriptedTurnLLM { _, _ in [.tool(ToolCall(id: "s1", name: "switchModel", arguments: #"{"model":"backup"}"#))] }
        let backup = ScriptedTurnLLM(replies: ["Backup here, at your service."])
        let router = FallbackRouter<LLMCapability>(name: "llm", members: [
            ChainMember(name: "primary", service: primary),
            ChainMember(name: "backup", service: backup),
            ChainMember(name: "local", service: CannedReplyLLM(), policy: .lastResort),
        ])
        let stt = FallbackRouter<STTCapability>(name: "stt", members: [
            ChainMember(name: "fixed", service: FixedSTT(text: "switch to the backup"), policy: .lastResort)])
        let agent = PlainAgent(tools: [SwitchModelTool(), ModelInfoTool()])
        let session = try AgentSession(agent: agent, llm: FallbackLLM(router: router), stt: stt,
                                       tts: VoiceFixtures.ttsChain(ToneTTS(secondsPerSentence: 0.3)),
                                       options: AgentSessionOptions(pacing: .unpaced))
        let events = Collector(session.events)
        let speech = VoiceFixtures.noisy(try await VoiceFixtures.speech("switch to the backup model"))
        await session.run(input: VoiceFixtures.frames(VoiceFixtures.concatenate([
            VoiceFixtures.roomNoise(milliseconds: 600), speech, VoiceFixtures.roomNoise(milliseconds: 1_000)]), paced: false))
        await session.close()
        await events.finished()

        #expect(primary.requests.count == 1, "the primary only chose the tool")
        #expect(backup.requests.count == 1, "the confirmation came from the backup")
        let toolResult = try #require(backup.requests.first?.messages.last)
        #expect(toolResult.role == .tool && toolResult.content.contains("Switched to"), "\(toolResult.content)")
        #expect(events.all.contains { if case .toolCalled("switchModel", _, _, false) = $0 { true } else { false } })
        #expect(events.all.contains(.agentSpeaking("Backup here, at your service.")))
        #expect(await router.currentProvider == "backup")
    }

    @Test func theAgentsTTSRewriteIsSpokenButTheContextKeepsTheWords() async throws {
        struct Pronouncing: VoiceAgent {
            let name = "pronouncing"
            let instructions = "Say temperatures."
            func ttsNode(text: String, session: any AgentSessionControl) async -> String? {
                text.replacingOccurrences(of: "°C", with: " degrees Celsius")
            }
        }
        let tts = RecordingTTS()
        let session = try AgentSession(agent: Pronouncing(), llm: ScriptedTurnLLM(replies: ["It is 21°C in Paris."]),
                                       tts: VoiceFixtures.ttsChain(tts), options: AgentSessionOptions(pacing: .unpaced))
        await session.respond(to: "How warm is it?")
        #expect(tts.texts == ["It is 21 degrees Celsius in Paris."])
        #expect(await session.chatContext.messages.last == .assistant("It is 21°C in Paris."))
    }
}
