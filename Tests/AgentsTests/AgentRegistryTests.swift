import Agents
import Providers
import TestSupport
import Testing

@Suite("Agent registry and chat context")
struct AgentRegistryTests {
    struct Named: VoiceAgent {
        let name: String
        let instructions = "Be brief."
    }

    @Test func registersListsAndMakesAgents() throws {
        let registry = AgentRegistry()
        try registry.register(name: "assistant") { Named(name: "assistant") }
        try registry.register(name: "receptionist") { Named(name: "receptionist") }
        #expect(registry.names == ["assistant", "receptionist"])
        #expect(registry.makeAgent(named: "receptionist")?.name == "receptionist")
        #expect(registry.makeAgent(named: "nobody") == nil)
        #expect(registry.contains("assistant"))
    }

    @Test func duplicateNamesAreRefused() throws {
        let registry = AgentRegistry()
        try registry.register(name: "assistant") { Named(name: "assistant") }
        let error = #expect(throws: AgentError.self) { try registry.register(name: "assistant") { Named(name: "other") } }
        #expect(error?.code == .duplicateName)
        #expect(registry.names == ["assistant"])
    }

    @Test func namesWithSpacesAreRefused() {
        let error = #expect(throws: AgentError.self) { try AgentRegistry().register(name: "front desk") { Named(name: "x") } }
        #expect(error?.code == .invalidName)
    }

    @Test func defaultHooksLeaveEverythingToTheSession() async throws {
        let agent = Named(name: "plain")
        let session = StaticSessionControl(llm: CannedReplyLLM(), agentName: "plain")
        var context = ChatContext(instructions: agent.instructions)
        try await agent.onUserTurnCompleted(chatContext: &context, message: .user("hi"))
        #expect(context == ChatContext(instructions: "Be brief."))
        #expect(await agent.sttNode(transcript: "hi", session: session) == nil)
        #expect(await agent.llmNode(chatContext: context, session: session) == nil)
        #expect(await agent.ttsNode(text: "hi", session: session) == nil)
        #expect(agent.tools.isEmpty && agent.greeting == nil && agent.preferences == AgentPreferences())
    }

    @Test func theDefaultOnEnterSaysTheGreeting() async {
        struct Greeter: VoiceAgent {
            let name = "greeter"
            let instructions = "Greet."
            let greeting: String? = "Hello there!"
        }
        let said = Said()
        let session = StaticSessionControl(llm: CannedReplyLLM(), agentName: "greeter", onSay: { await said.add($0) })
        await Greeter().onEnter(session: session)
        await Named(name: "silent").onEnter(session: session)
        #expect(await said.lines == ["Hello there!"])
    }

    @Test func truncationKeepsInstructionsAndNeverStartsWithAnOrphanToolResult() {
        var context = ChatContext(instructions: "rules")
        context.append(contentsOf: [.user("q1"), .assistant("", toolCalls: [.call("echo")]),
                                    .toolResult(callID: "call_echo", name: "echo", content: "r"), .assistant("a1"),
                                    .user("q2")])
        context.truncate(keepingLast: 3)
        #expect(context.messages == [.system("rules"), .assistant("a1"), .user("q2")])
        context.setInstructions("new rules")
        #expect(context.instructions == "new rules")
        #expect(context.lastUserMessage == .user("q2"))
    }

    @Test func bargeInKeepsOnlyWhatWasSpoken() {
        var context = ChatContext([.user("tell me a story"), .assistant("Once upon a time there was")])
        context.truncateLastAssistantMessage(toSpoken: "Once upon")
        #expect(context.messages.last == .assistant("Once upon"))
        context.truncateLastAssistantMessage(toSpoken: "")
        #expect(context.messages == [.user("tell me a story")])
    }
}

actor Said {
    private(set) var lines: [String] = []
    func add(_ line: String) { lines.append(line) }
}
