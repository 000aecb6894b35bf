import Agents
import Audio
import Logging
import Providers
import TestSupport
import Testing
@testable import Voice

/// Text turns through a session: hooks, tools, handoffs and the never-silent guarantee.
@Suite("AgentSession text turns")
struct AgentSessionTextTests {
    struct Echo: Decodable, Sendable { var word: String }

    @Test func toolCallsRunAndTheReplyAndToolResultsLandInTheContext() async throws {
        let shout = TypedTool(name: "shout", description: "Shouts a word",
                              output: { (arguments: Echo, _) in .text(arguments.word.uppercased()) })
        let llm = ScriptedTurnLLM { call, _ in
            call == 0 ? [.tool(ToolCall(id: "c1", name: "shout", arguments: #"{"word":"hello"}"#))]
                : [.text("I shouted HELLO.")]
        }
        let session = try AgentSession(agent: PlainAgent(tools: [shout]), llm: llm)
        let events = Collector(session.events)
        await session.start()
        let reply = await session.respond(to: "Shout hello")
        #expect(reply == "I shouted HELLO.")
        let context = await session.chatContext.messages
        #expect(context.map(\.role) == [.system, .user, .assistant, .tool, .assistant])
        #expect(context[3].content == "HELLO")
        await session.close()
        await events.finished()
        #expect(events.all.contains(.toolCalled(name: "shout", arguments: #"{"word":"hello"}"#, result: "HELLO", failed: false)))
        #expect(events.all.contains(.userTranscript("Shout hello", isFinal: true)))
        #expect(events.all.filter { if case .stateChanged = $0 { true } else { false } }
                == [.stateChanged(.listening), .stateChanged(.thinking), .stateChanged(.listening)])
        #expect(events.all.contains { if case .metrics(let metrics) = $0 { metrics.llmTimeToFirstToken != nil } else { false } })
    }

    @Test func aToolErrorGoesBackToTheModelAndTheTurnStillEndsInWords() async throws {
        let failing = TypedTool(name: "lookup", description: "Looks something up",
                                output: { (_: Echo, _) -> ToolOutput in throw ToolError("no such place") })
        let llm = ScriptedTurnLLM { call, _ in
            call == 0 ? [.tool(ToolCall(id: "c1", name: "lookup", arguments: #"{"word":"Atlantis"}"#))]
                : [.text("Sorry, I couldn't find that place.")]
        }
        let session = try AgentSession(agent: PlainAgent(tools: [failing]), llm: llm)
        #expect(await session.respond(to: "Where is Atlantis?") == "Sorry, I couldn't find that place.")
        let toolMessage = try #require(llm.requests.last?.messages.last)
        #expect(toolMessage.role == .tool && toolMessage.content == "error: no such place")
    }

    @Test func aHandoffSwitchesTheAgentKeepsTheContextAndTheNewAgentAnswers() async throws {
        struct Sales: VoiceAgent {
            let name = "sales"
            let instructions = "You sell solar panels."
        }
        struct Empty: Decodable, Sendable {}
        let toSales = TypedTool(name: "toSales", description: "Hands over to sales",
                                output: { (_: Empty, _) in .handoff(Sales(), message: "Transferring you to sales") })
        let llm = ScriptedTurnLLM { call, _ in
            call == 0 ? [.tool(ToolCall(id: "h1", name: "toSales", arguments: "{}"))] : [.text("Sales here, how can I help?")]
        }
        let session = try AgentSession(agent: PlainAgent(name: "front", instructions: "You greet callers.", tools: [toSales]),
                                       llm: llm)
        let events = Collector(session.events)
        #expect(await session.respond(to: "I want panels") == "Sales here, how can I help?")
        #expect(await session.agentName == "sales")
        // Both LLM calls as the model saw them: the front desk with its tool, then sales with its own
        // instructions and tools, the conversation so far and the handoff's message as the tool result.
        #expect(llm.requests.count == 2)
        let first = try #require(llm.requests.first)
        #expect(first.messages.first == .system("You greet callers."))
        #expect(first.tools.map(\.name) == ["toSales"])
        let request = try #require(llm.requests.last)
        #expect(request.messages.first == .system("You sell solar panels."))
        #expect(request.messages.contains(.user("I want panels")))
        #expect(request.messages.last?.role == .tool && request.messages.last?.content == "Transferring you to sales")
        #expect(request.tools.isEmpty, "the front desk's tools left with it")
        let kept = await session.chatContext.messages
        #expect(kept.first == .system("You sell solar panels."))
        #expect(kept.last == .assistant("Sales here, how can I help?"))
        await session.close()
        await events.finished()
        #expect(events.all.contains(.agentChanged(from: "front", to: "sales")))
    }

    @Test func aNewAgentThatGreetsHasAnsweredTheTurn() async throws {
        struct Greeter: VoiceAgent {
            let name = "greeter"
            let instructions = "You greet."
            let greeting: String? = "Hello from the greeter."
        }
        struct Empty: Decodable, Sendable {}
        let hand = TypedTool(name: "hand", description: "Hands over",
                             output: { (_: Empty, _) in .handoff(Greeter(), message: "ok") })
        let llm = ScriptedTurnLLM { _, _ in [.tool(ToolCall(id: "h1", name: "hand", arguments: "{}"))] }
        let session = try AgentSession(agent: PlainAgent(tools: [hand]), llm: llm)
        await session.respond(to: "switch")
        #expect(llm.requests.count == 1, "the greeter's greeting was its answer; no second LLM call")
        #expect(await session.chatContext.messages.last == .assistant("Hello from the greeter."))
    }

    @Test func onUserTurnCompletedCanEditTheContextOrStopTheReply() async throws {
        struct Careful: VoiceAgent {
            let name = "careful"
            let instructions = "Be careful."
            func onUserTurnCompleted(chatContext: inout ChatContext, message: ChatMessage) async throws {
                if message.content.contains("ignore") { throw AgentStopResponse() }
                chatContext.append(.system("The user is a premium customer."))
            }
        }
        let llm = ScriptedTurnLLM(replies: ["Welcome back."])
        let session = try AgentSession(agent: Careful(), llm: llm)
        #expect(await session.respond(to: "please ignore this") == "")
        #expect(llm.requests.isEmpty)
        #expect(await session.respond(to: "hi") == "Welcome back.")
        #expect(llm.requests.first?.messages.contains(.system("The user is a premium customer.")) == true)
    }

    /// Every remote LLM down: the chain's canned tail still answers, so the caller hears words.
    @Test func allRemoteLLMsDownStillGivesAReply() async throws {
        let router = FallbackRouter<LLMCapability>(name: "llm", members: [
            ChainMember(name: "broken", service: BrokenLLM(), policy: ProviderPolicy(maxRetries: 0)),
            ChainMember(name: "local", service: CannedReplyLLM(), policy: .lastResort),
        ])
        let session = try AgentSession(agent: PlainAgent(), llm: FallbackLLM(router: router))
        let reply = await session.respond(to: "What's the weather in Paris?")
        #expect(!reply.isEmpty)
        #expect(await session.turnMetrics.last?.llmProvider == "local")
    }

    /// A model that keeps calling tools past the step limit (ignoring `tool_choice: none`): the caller
    /// hears the apology, not dead air (the turn used to end with no reply at all).
    @Test func aModelStuckInToolCallsStillGetsTheCallerAnAnswer() async throws {
        let shout = TypedTool(name: "shout", description: "Shouts a word",
                              output: { (arguments: Echo, _) in .text(arguments.word.uppercased()) })
        let llm = ScriptedTurnLLM { call, _ in [.tool(ToolCall(id: "c\(call)", name: "shout", arguments: #"{"word":"again"}"#))] }
        let session = try AgentSession(agent: PlainAgent(tools: [shout]), llm: llm)
        let reply = await session.respond(to: "Shout forever")
        #expect(reply == AgentSessionOptions().apology)
        #expect(llm.requests.count == 4, "three tool steps and the final tool_choice none step")
        #expect(await session.chatContext.messages.last == .assistant(AgentSessionOptions().apology))
    }

    /// An LLM that throws without a fallback: the session apologizes instead of going quiet.
    @Test func aFailingLLMWithoutAChainStillApologizes() async throws {
        let session = try AgentSession(agent: PlainAgent(), llm: BrokenLLM())
        let reply = await session.respond(to: "hello?")
        #expect(reply == AgentSessionOptions().apology)
        #expect(await session.chatContext.messages.last == .assistant(AgentSessionOptions().apology))
    }
}
