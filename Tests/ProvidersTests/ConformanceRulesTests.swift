import Foundation
@testable import Providers
import Testing

/// The per-vendor conversation rules applied when a request is built (docs/providers.md), one layer
/// at a time; ConformanceTests proves the same requests against the strict servers.
@Suite("Conversation rules per vendor")
struct ConformanceRulesTests {
    static let call = ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris"}"#)
    static let greetingFirst: [ChatMessage] = [
        .system("Be brief."), .assistant("Hello! How can I help?"), .user("Weather in Paris?"),
        .assistant("Let me check.", toolCalls: [call]),
        .toolResult(callID: "call_1", name: "get_weather", content: "18 degrees"),
        .assistant("It is 18 degrees."), .user("Thanks."),
    ]

    static func roles(_ turns: [JSONValue]) -> [String] { turns.compactMap { $0["role"]?.stringValue } }

    // MARK: Shared rules

    @Test func aToolResultMovesRightAfterItsCallAndAMissingOneIsSupplied() {
        let other = ToolCall(id: "call_2", name: "getModelInfo", arguments: "{}")
        let messages: [ChatMessage] = [
            .user("Weather?"), .assistant("", toolCalls: [Self.call, other]),
            .user("hurry up"),  // the caller spoke before the results were appended
            .toolResult(callID: "call_1", name: "get_weather", content: "18"),
            .toolResult(callID: "call_9", name: "stale", content: "no call of mine"),
        ]
        let paired = ConversationRules.pairingToolResults(messages)
        #expect(paired.map(\.role) == [.user, .assistant, .tool, .tool, .user])
        #expect(paired[2].toolCallID == "call_1" && paired[2].content == "18")
        #expect(paired[3].toolCallID == "call_2" && paired[3].content == ConversationRules.missingToolResult)
        #expect(!paired.contains { $0.toolCallID == "call_9" }, "a result without its call is dropped")
    }

    // MARK: Anthropic

    @Test func anthropicStartsWithTheUserAndAlternates() {
        let messages = AnthropicRequestEncoder.messages(Self.greetingFirst)
        #expect(Self.roles(messages) == ["user", "assistant", "user", "assistant", "user", "assistant", "user"])
        #expect(messages[0]["content"]?.arrayValue?.first?["text"] == .string(ConversationRules.openingUserTurn))
        #expect(messages[1]["content"]?.arrayValue?.first?["text"] == .string("Hello! How can I help?"),
                "the greeting stays in context, in order")
        // tool_use in the assistant turn, its tool_result first in the next user turn.
        #expect(messages[3]["content"]?.arrayValue?.last?["type"] == .string("tool_use"))
        #expect(messages[4]["content"]?.arrayValue?.first?["type"] == .string("tool_result"))
    }

    @Test func anthropicMergesSameRoleTurnsWithResultsFirstAndDropsBlankText() {
        let messages = AnthropicRequestEncoder.messages([
            .user("Weather?"), .user("  "), .assistant("", toolCalls: [Self.call]),
            .toolResult(callID: "call_1", name: "get_weather", content: "18"), .user("and tomorrow?"),
        ])
        #expect(Self.roles(messages) == ["user", "assistant", "user"])
        #expect(messages[0]["content"]?.arrayValue?.count == 1, "the blank text block is dropped")
        #expect(messages[2]["content"]?.arrayValue?.map { $0["type"] } == [.string("tool_result"), .string("text")])
    }

    @Test func anthropicHistoryWithOnlyASystemPromptStillHasAUserTurn() {
        #expect(Self.roles(AnthropicRequestEncoder.messages([.system("Greet the caller.")])) == ["user"])
    }

    // MARK: Gemini

    @Test func geminiStartsWithTheUserAndAlternates() {
        let contents = GeminiRequestEncoder.contents(Self.greetingFirst)
        #expect(Self.roles(contents) == ["user", "model", "user", "model", "user", "model", "user"])
        #expect(contents[0]["parts"]?.arrayValue?.first?["text"] == .string(ConversationRules.openingUserTurn))
        let calls = contents[3]["parts"]?.arrayValue?.filter { $0["functionCall"] != nil }.count
        let responses = contents[4]["parts"]?.arrayValue?.filter { $0["functionResponse"] != nil }.count
        #expect(calls == 1 && responses == 1, "one functionResponse per functionCall, in the next turn")
    }

    @Test func geminiToolWithoutParametersOmitsThem() {
        let tool = ToolDefinition(name: "getModelInfo", description: "Which model",
                                  parameters: .object(["type": .string("object"), "properties": .object([:])]))
        #expect(GeminiRequestEncoder.functionDeclaration(tool)
            == .object(["name": .string("getModelInfo"), "description": .string("Which model")]))
        let bare = ToolDefinition(name: "ping", description: "", parameters: .object(["type": .string("object")]))
        #expect(GeminiRequestEncoder.functionDeclaration(bare)["parameters"] == nil)
    }

    @Test func geminiSchemaIsReducedToTheSubsetItAccepts() throws {
        let schema = try #require(JSONValue(parsing: #"""
        {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "additionalProperties": false,
         "properties": {
           "unit": {"type": "string", "enum": ["c", "f"], "format": "uri"},
           "days": {"type": ["integer", "null"], "minimum": 1, "exclusiveMaximum": 8},
           "level": {"type": "integer", "enum": [1, 2, 3]},
           "kind": {"const": "forecast"},
           "place": {"$ref": "#/$defs/Place", "description": "Where"},
           "either": {"oneOf": [{"type": "string"}, {"type": "number"}]}
         },
         "required": ["unit", "ghost"],
         "$defs": {"Place": {"type": "object", "properties": {"city": {"type": "string"}}, "additionalProperties": false}}}
        """#))
        let reduced = try #require(GeminiSchema.parameters(schema))
        #expect(reduced["additionalProperties"] == nil && reduced["$schema"] == nil && reduced["$defs"] == nil)
        #expect(reduced["required"] == .array([.string("unit")]), "required names only declared properties")
        let properties = try #require(reduced["properties"]?.objectValue)
        #expect(properties["unit"] == .object(["type": .string("string"), "enum": .array([.string("c"), .string("f")]),
                                               "format": .string("enum")]))
        #expect(properties["days"] == .object(["type": .string("integer"), "nullable": .bool(true), "minimum": .number(1)]))
        #expect(properties["level"]?["type"] == .string("string"))
        #expect(properties["level"]?["enum"] == .array([.string("1"), .string("2"), .string("3")]))
        #expect(properties["kind"]?["enum"] == .array([.string("forecast")]))
        #expect(properties["place"] == .object([
            "type": .string("object"), "description": .string("Where"),
            "properties": .object(["city": .object(["type": .string("string")])]),
        ]))
        #expect(properties["either"]?["anyOf"]?.arrayValue?.count == 2 && properties["either"]?["oneOf"] == nil)
        #expect(GeminiSchema.problems(schema).isEmpty)
    }

    @Test func geminiSchemaProblemsNameWhatCannotBeRewritten() throws {
        let schema = try #require(JSONValue(parsing: #"""
        {"type": "object", "properties": {"options": {"type": "object"}, "ref": {"$ref": "#/definitions/Gone"}}}
        """#))
        let problems = GeminiSchema.problems(schema)
        #expect(problems.count == 2)
        #expect(problems.contains { $0.hasPrefix("parameters.options: an object without properties") })
        #expect(problems.contains { $0.hasPrefix("parameters.ref: $ref #/definitions/Gone") })
    }

    @Test func aRecursiveSchemaEnds() throws {
        let schema = try #require(JSONValue(parsing: #"""
        {"type": "object", "properties": {"node": {"$ref": "#/$defs/Node"}},
         "$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}}}
        """#))
        #expect(GeminiSchema.parameters(schema) != nil)
    }

    // MARK: OpenAI

    @Test func openAIKeepsTheGreetingFirstAndPairsResults() {
        let messages = Self.greetingFirst.map(OpenAIChatRequestEncoder.message)
        #expect(Self.roles(messages) == ["system", "assistant", "user", "assistant", "tool", "assistant", "user"])
        let unanswered = OpenAIChatRequestEncoder.body(
            for: LLMRequest(messages: [.user("Weather?"), .assistant("", toolCalls: [Self.call]), .user("hello?")]),
            model: "gpt-4.1-mini")
        #expect(Self.roles(unanswered["messages"]?.arrayValue ?? []) == ["user", "assistant", "tool", "user"],
                "a call without a result gets one, or OpenAI rejects the request")
    }
}
