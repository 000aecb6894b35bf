import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

@Suite("Anthropic adapter")
struct AnthropicLLMTests {
    func makeLLM(_ replies: [ReplayTransport.Reply]) -> (AnthropicLLM, ReplayTransport) {
        let transport = ReplayTransport(replies)
        return (AnthropicLLM(model: "claude-3-5-haiku-latest", apiKey: Secret("sk-ant-test-key-123456789"), transport: transport),
                transport)
    }

    @Test func requestShapeAndHeaders() async throws {
        let (llm, transport) = makeLLM([.sse(ProviderWireFixtures.anthropicText(["Hi"]))])
        _ = await collect(llm.stream(fullRequest))
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "https://api.anthropic.com/v1/messages")
        #expect(request.headers["x-api-key"] == "sk-ant-test-key-123456789")
        #expect(request.headers["anthropic-version"] == "2023-06-01")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["Authorization"] == nil)
        let body = transport.body()
        #expect(body["system"] == .string("You are terse."))
        #expect(body["max_tokens"] == .number(200))
        #expect(body["stream"] == .bool(true))
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue } == ["user", "assistant", "user"])
        let toolUse = messages[1]["content"]?.arrayValue?.first
        #expect(toolUse?["type"] == .string("tool_use"))
        #expect(toolUse?["input"]?["city"] == .string("Paris"))
        let resultTurn = try #require(messages[2]["content"]?.arrayValue)
        #expect(resultTurn.first?["type"] == .string("tool_result"))
        #expect(resultTurn.first?["tool_use_id"] == .string("call_1"))
        #expect(resultTurn.last?["text"] == .string("Thanks. And Rome?"))
        #expect(body["tools"]?.arrayValue?.first?["input_schema"]?["type"] == .string("object"))
        #expect(body["tool_choice"] == .object(["type": .string("tool"), "name": .string("get_weather")]))
    }

    @Test func textStreamWithUsage() async {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.anthropicText(["Bon", "jour"], cacheRead: 5))])
        let result = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.error == nil)
        #expect(result.text == "Bonjour")
        #expect(result.usage == Usage(inputTokens: 30, outputTokens: 9, cachedTokens: 5))
        #expect(result.finish == .stop)
    }

    @Test(arguments: [("end_turn", FinishReason.stop), ("stop_sequence", .stop), ("max_tokens", .length), ("tool_use", .toolCalls)])
    func stopReasons(raw: String, expected: FinishReason) async {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.anthropicText(["a"], stopReason: raw))])
        #expect(await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).finish == expected)
    }

    @Test func toolUseAssembly() async {
        let sse = ProviderWireFixtures.anthropicToolUse(name: "get_weather", jsonFragments: ["", #"{"city": "#, #""Rome"}"#])
        let (llm, _) = makeLLM([.sse(sse)])
        let result = await collect(llm.stream(fullRequest))
        #expect(result.error == nil)
        #expect(result.text == "Let me check.")
        #expect(result.toolCalls == [ToolCall(id: "toolu_01A", name: "get_weather", arguments: #"{"city": "Rome"}"#)])
        #expect(result.finish == .toolCalls)
    }

    @Test(arguments: [("overloaded_error", ErrorClass.server), ("rate_limit_error", .rateLimited), ("api_error", .server),
                      ("authentication_error", .auth)])
    func errorEvent(type: String, expected: ErrorClass) async {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.anthropicOverloaded(type: type))])
        #expect(await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).providerError?.kind == expected)
    }

    @Test func truncatedStream() async {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.anthropicText(["a"], includeStop: false))])
        let result = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.text == "a")
        #expect(result.providerError?.kind == .network)
    }

    @Test func malformedEvent() async {
        let (llm, _) = makeLLM([.sse("event: message_start\ndata: {oops\n\n")])
        #expect(await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).providerError?.kind == .malformedResponse)
    }

    @Test func httpErrors() async {
        let cases: [(Int, String, HTTPHeaders, ErrorClass)] = [
            (529, #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#, [:], .server),
            (429, #"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#, ["retry-after": "3"], .rateLimited),
            (401, #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#, [:], .auth),
            (400, #"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}"#, [:], .contextLength),
        ]
        for (status, body, headers, expected) in cases {
            let (llm, _) = makeLLM([.json(status, body, headers: headers)])
            let error = await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).providerError
            #expect(error?.kind == expected, "HTTP \(status)")
            if status == 429 { #expect(error?.retryAfter == .seconds(3)) }
        }
    }
}
