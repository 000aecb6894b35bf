import Agents
import Logging
import Providers
import TestSupport
import Testing

@Suite("Tool loop", .timeLimit(.minutes(2)))
struct ToolLoopTests {
    struct CityArguments: Decodable, Sendable { let city: String }

    static let context = ToolContext(agentName: "test", logger: Logger(label: "test"))

    static let echo = TypedTool(name: "echo", description: "Echoes the city") { (args: CityArguments, _) in
        "echo \(args.city)"
    }

    @Test func toolCallThenResultThenFinalAnswer() async throws {
        let llm = ScriptedTurnLLM { call, _ in
            call == 0 ? [.tool(.call("echo", #"{"city":"Paris"}"#))] : [.text("It is "), .text("sunny.")]
        }
        let outcome = try await ToolLoop().run(llm: llm, request: LLMRequest(messages: [.user("weather?")]),
                                               tools: [Self.echo], context: Self.context)
        #expect(outcome.text == "It is sunny.")
        #expect(outcome.invocations.map(\.result) == ["echo Paris"])
        #expect(outcome.newMessages.map(\.role) == [.assistant, .tool, .assistant])
        #expect(outcome.handoff == nil)
        let second = try #require(llm.requests.dropFirst().first)
        #expect(second.messages.last == .toolResult(callID: "call_echo", name: "echo", content: "echo Paris"))
        #expect(second.tools.map(\.name) == ["echo"])
    }

    @Test func atMostThreeToolStepsThenToolChoiceNone() async throws {
        // Tools on three steps, then the final step answers in words.
        let llm = ScriptedTurnLLM { call, request in
            request.toolChoice == ToolChoice.none ? [.text("Rome it is.")] : [.tool(.call("echo", #"{"city":"Rome"}"#, id: "c\(call)"))]
        }
        let outcome = try await ToolLoop().run(llm: llm, request: LLMRequest(messages: [.user("loop")]),
                                               tools: [Self.echo], context: Self.context)
        #expect(llm.requests.count == 4)
        #expect(llm.requests.prefix(3).allSatisfy { $0.toolChoice == .auto })
        #expect(llm.requests.last?.toolChoice == ToolChoice.none)
        #expect(outcome.invocations.count == 3)
        #expect(outcome.text == "Rome it is.")
    }

    /// A model that ignores `tool_choice: none` and keeps calling tools: its last calls are neither
    /// run nor kept, and the turn ends in `.noAnswer` (the session then apologizes) instead of silence.
    @Test func aModelThatNeverStopsCallingToolsEndsInNoAnswerNotSilence() async throws {
        let llm = ScriptedTurnLLM { call, _ in [.tool(.call("echo", #"{"city":"Rome"}"#, id: "c\(call)"))] }
        await #expect {
            _ = try await ToolLoop().run(llm: llm, request: LLMRequest(messages: [.user("loop")]),
                                         tools: [Self.echo], context: Self.context)
        } throws: { error in
            (error as? AgentError)?.code == .noAnswer && "\(error)".contains("3 tool steps")
        }
        #expect(llm.requests.count == 4)
    }

    @Test(arguments: ["", "  \n "])
    func anEmptyAnswerIsNoAnswer(text: String) async throws {
        let llm = ScriptedTurnLLM { _, _ in text.isEmpty ? [] : [.text(text)] }
        await #expect {
            _ = try await ToolLoop().run(llm: llm, request: LLMRequest(messages: [.user("hi")]), tools: [],
                                         context: Self.context)
        } throws: { ($0 as? AgentError)?.code == .noAnswer }
    }

    @Test func toolErrorGoesBackAsTheResult() async throws {
        let failing = TypedTool(name: "lookup", description: "Fails") { (_: CityArguments, _) -> String in
            throw ToolError("I couldn't find Atlantis")
        }
        let llm = ScriptedTurnLLM { call, _ in
            call == 0 ? [.tool(.call("lookup", #"{"city":"Atlantis"}"#))] : [.text("Sorry, no such place.")]
        }
        let outcome = try await ToolLoop().run(llm: llm, request: LLMRequest(messages: [.user("?")]),
                                               tools: [failing], context: Self.context)
        #expect(outcome.invocations.first?.failed == true)
        let toolMessage = try #require(llm.requests.last?.messages.last)
        #expect(toolMessage.role == .tool)
        #expect(toolMessage.content == "error: I couldn't find Atlantis")
        #expect(outcome.text == "Sorry, no such place.")
    }

    @Test func toolCallsRunConcurrently() async throws {
        // Each tool waits for the other to start: run one after the other, the first would time out.
        let gate = Rendezvous(expected: 2)
        let waiting = TypedTool(name: "wait", description: "Waits for its twin") { (args: CityArguments, _) in
            await gate.arriveAndWait()
            return "done \(args.city)"
        }
        let llm = ScriptedTurnLLM { call, _ in
            call == 0 ? [.tool(.call("wait", #"{"city":"a"}"#, id: "1")), .tool(.call("wait", #"{"city":"b"}"#, id: "2"))]
                : [.text("both done")]
        }
        let outcome = try await ToolLoop(toolTimeout: .seconds(30)).run(
            llm: llm, request: LLMRequest(messages: [.user("go")]), tools: [waiting], context: Self.context)
        #expect(outcome.invocations.map(\.result) == ["done a", "done b"])
        #expect(outcome.invocations.allSatisfy { !$0.failed })
    }

    @Test func aToolThatOverrunsItsTimeoutIsStoppedAndReported() async throws {
        let stalled = TypedTool(name: "stall", description: "Never answers") { (_: CityArguments, _) -> String in
            try await Task.sleep(for: .seconds(3600))
            return "never"
        }
        let llm = ScriptedTurnLLM { call, _ in
            call == 0 ? [.tool(.call("stall", #"{"city":"x"}"#)), .tool(.call("echo", #"{"city":"y"}"#))]
                : [.text("one was slow")]
        }
        let outcome = try await ToolLoop(toolTimeout: .seconds(1)).run(
            llm: llm, request: LLMRequest(messages: [.user("go")]), tools: [stalled, Self.echo], context: Self.context)
        #expect(outcome.invocations.map(\.failed) == [true, false])
        #expect(outcome.invocations.first?.result.contains("took longer") == true)
        #expect(outcome.invocations.last?.result == "echo y")
    }

    @Test func aHandoffEndsTheTurnAndCarriesTheAgent() async throws {
        let transfer = TypedTool(name: "transfer", description: "To sales",
                                 output: { (_: CityArguments, _) in .handoff(SalesAgent(), message: "Transferring to sales") })
        let llm = ScriptedTurnLLM { _, _ in [.text("One moment."), .tool(.call("transfer", #"{"city":"-"}"#))] }
        let outcome = try await ToolLoop().run(llm: llm, request: LLMRequest(messages: [.user("buy")]),
                                               tools: [transfer], context: Self.context)
        #expect(llm.requests.count == 1)
        #expect(outcome.handoff?.agent.name == "sales")
        #expect(outcome.handoff?.message == "Transferring to sales")
        #expect(outcome.invocations.first?.handoffAgentName == "sales")
        #expect(outcome.newMessages.last?.content == "Transferring to sales")
        #expect(outcome.text == "One moment.")
    }
}

struct SalesAgent: VoiceAgent {
    let name = "sales"
    let instructions = "You sell things."
}

/// Releases everyone once `expected` callers have arrived.
actor Rendezvous {
    private let expected: Int
    private var arrived = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(expected: Int) { self.expected = expected }

    func arriveAndWait() async {
        arrived += 1
        if arrived >= expected {
            waiters.forEach { $0.resume() }
            waiters = []
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }
}
