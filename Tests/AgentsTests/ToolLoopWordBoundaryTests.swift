import Agents
import Logging
import Providers
import Synchronization
import TestSupport
import Testing

/// Words spoken before and after a tool call reach TTS on a word boundary (issue 19: Cartesia was
/// sent "Let me check.It is 18 degrees and sunny in Paris.").
@Suite("Tool loop word boundary", .timeLimit(.minutes(1)))
struct ToolLoopWordBoundaryTests {
    struct NoArguments: Decodable, Sendable {}
    static let echo = TypedTool(name: "echo", description: "Echoes") { (_: NoArguments, _) in "ok" }

    static func spoken(_ script: @escaping @Sendable (Int) -> [ScriptedTurnLLM.Step]) async throws -> (String, ToolLoop.Outcome) {
        let llm = ScriptedTurnLLM { call, _ in script(call) }
        let heard = Mutex("")
        let outcome = try await ToolLoop().run(
            llm: llm, request: LLMRequest(messages: [.user("weather?")]), tools: [Self.echo],
            context: ToolContext(agentName: "test", logger: Logger(label: "test")),
            onText: { delta in heard.withLock { $0 += delta } })
        return (heard.withLock { $0 }, outcome)
    }

    @Test func textAroundAToolCallIsJoinedWithASpace() async throws {
        let (heard, outcome) = try await Self.spoken { call in
            call == 0 ? [.text("Let me check."), .tool(ToolCall.call("echo"))] : [.text("It is 18 degrees.")]
        }
        #expect(heard == "Let me check. It is 18 degrees.")
        #expect(outcome.text == "It is 18 degrees.", "the context keeps each step's own words")
    }

    @Test func existingWhitespaceIsNotDoubled() async throws {
        let (heard, _) = try await Self.spoken { call in
            call == 0 ? [.text("Let me check. "), .tool(ToolCall.call("echo"))] : [.text("Sunny.")]
        }
        #expect(heard == "Let me check. Sunny.")
    }

    @Test func aSilentToolStepAddsNoLeadingSpace() async throws {
        let (heard, _) = try await Self.spoken { call in
            call == 0 ? [.tool(ToolCall.call("echo"))] : [.text("Sunny.")]
        }
        #expect(heard == "Sunny.")
    }
}
