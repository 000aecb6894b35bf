import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

@Suite("OpenAI-compatible adapter", .timeLimit(.minutes(2)))
struct OpenAICompatibleLLMTests {
    static let key = "sk-test-0123456789abcdefghijklmnop"

    func makeLLM(_ replies: [ReplayTransport.Reply], preset: OpenAICompatibleLLM.Preset = .openAI)
        -> (OpenAICompatibleLLM, ReplayTransport) {
        let transport = ReplayTransport(replies)
        let llm = OpenAICompatibleLLM(preset: preset, model: "gpt-4o-mini", apiKey: Secret(Self.key), transport: transport)
        return (llm, transport)
    }

    @Test func requestShapeAndHeaders() async throws {
        let (llm, transport) = makeLLM([.sse(ProviderWireFixtures.openAIText(["Hi"]))])
        _ = await collect(llm.stream(fullRequest))
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "https://api.openai.com/v1/chat/completions")
        #expect(request.headers["Authorization"] == "Bearer \(Self.key)")
        #expect(request.headers["Content-Type"] == "application/json")
        let body = transport.body()
        #expect(body["model"] == .string("gpt-4o-mini"))
        #expect(body["stream"] == .bool(true))
        #expect(body["stream_options"]?["include_usage"] == .bool(true))
        #expect(body["temperature"] == .number(0.5))
        #expect(body["max_completion_tokens"] == .number(200), "OpenAI takes max_completion_tokens")
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue } == ["system", "user", "assistant", "tool", "user"])
        #expect(messages[2]["content"] == .null)
        #expect(messages[2]["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == .string(#"{"city":"Paris"}"#))
        #expect(messages[2]["tool_calls"]?.arrayValue?.first?["type"] == .string("function"))
        #expect(messages[3]["tool_call_id"] == .string("call_1"))
        #expect(body["tools"]?.arrayValue?.first?["type"] == .string("function"))
        #expect(body["tools"]?.arrayValue?.first?["function"]?["name"] == .string("get_weather"))
        #expect(body["tools"]?.arrayValue?.first?["function"]?["parameters"]?["type"] == .string("object"))
        #expect(body["tool_choice"]?["function"]?["name"] == .string("get_weather"))
        #expect(request.timeouts.connect != nil)
    }

    @Test(arguments: [
        (OpenAICompatibleLLM.Preset.groq, "https://api.groq.com/openai/v1/chat/completions"),
        (.together, "https://api.together.xyz/v1/chat/completions"),
        (.openRouter, "https://openrouter.ai/api/v1/chat/completions"),
        (.geminiOpenAI, "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions"),
        (.cloudflare(accountID: "acc123"), "https://api.cloudflare.com/client/v4/accounts/acc123/ai/v1/chat/completions"),
        (.local, "http://127.0.0.1:11434/v1/chat/completions"),
    ])
    func presetURLs(preset: OpenAICompatibleLLM.Preset, url: String) async throws {
        let (llm, transport) = makeLLM([.sse(ProviderWireFixtures.openAIText(["x"]))], preset: preset)
        _ = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        #expect(transport.requests.first?.url.absoluteString == url)
    }

    @Test func localPresetSendsNoKey() async throws {
        let transport = ReplayTransport([.sse(ProviderWireFixtures.openAIText(["x"]))])
        let llm = OpenAICompatibleLLM(preset: .local, model: "llama3.2", apiKey: nil, transport: transport)
        _ = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        #expect(transport.requests.first?.headers["Authorization"] == nil)
        #expect(transport.body()["tools"] == nil)
    }

    @Test func textStreamingWithUsageAndCost() async throws {
        let sse = ProviderWireFixtures.openAIText(["Hel", "lo, ", "wörld 👋"], cachedTokens: 3, cost: 0.00042,
                                                 openRouterComments: true)
        let (llm, _) = makeLLM([.sse(sse)])
        let result = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.error == nil)
        #expect(result.text == "Hello, wörld 👋")
        #expect(result.usage == Usage(inputTokens: 12, outputTokens: 5, cachedTokens: 3, costUSD: 0.00042))
        #expect(result.events.suffix(2) == [.usage(result.usage!), .finish(.stop)])
    }

    @Test(arguments: [("stop", FinishReason.stop), ("length", .length), ("content_filter", .contentFilter),
                      ("tool_calls", .toolCalls), ("weird", .other)])
    func finishMapping(raw: String, expected: FinishReason) async {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.openAIText(["a"], finishReason: raw))])
        #expect(await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).finish == expected)
    }

    @Test(arguments: [true, false])
    func toolCallAssembly(includeIndex: Bool) async throws {
        let calls = [
            ProviderWireFixtures.ToolCallSpec(id: "call_a", name: "get_weather", argumentFragments: [#"{"ci"#, #"ty":"#, #""Rome"}"#]),
            ProviderWireFixtures.ToolCallSpec(id: "call_b", name: "get_time", argumentFragments: ["", #"{"tz":"CET"}"#]),
        ]
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.openAIToolCalls(calls, includeIndex: includeIndex))])
        let result = await collect(llm.stream(fullRequest))
        #expect(result.error == nil)
        #expect(result.toolCalls == [
            ToolCall(id: "call_a", name: "get_weather", arguments: #"{"city":"Rome"}"#),
            ToolCall(id: "call_b", name: "get_time", arguments: #"{"tz":"CET"}"#),
        ])
        #expect(result.finish == .toolCalls)
    }

    @Test func usageChunkWithNullOrMissingChoices() async {
        let sse = """
            data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}

            data: {"choices":null,"usage":{"prompt_tokens":3,"completion_tokens":1}}

            data: {"usage":{"prompt_tokens":4,"completion_tokens":2}}

            data: [DONE]


            """
        let (llm, _) = makeLLM([.sse(sse)])
        let result = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.error == nil)
        #expect(result.usage == Usage(inputTokens: 4, outputTokens: 2))
        #expect(result.events.count == 3)
    }

    @Test(arguments: [(429, ErrorClass.rateLimited), (502, .server), (503, .server), (402, .quotaExhausted), (400, .badRequest)])
    func midStreamErrorEvent(code: Int, expected: ErrorClass) async throws {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.openAIMidStreamError(code: code, textBefore: ["Par"]))])
        let result = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.text == "Par")
        #expect(result.providerError?.kind == expected)
        #expect(result.providerError?.status == code)
    }

    @Test func truncatedStreamIsNetworkError() async {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.openAIText(["a", "b"], done: false, includeUsage: false)
                                     .components(separatedBy: "\"finish_reason\":\"stop\"")[0])])
        let result = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.providerError?.kind == .network)
        #expect(result.providerError?.message == "stream ended early")
    }

    @Test func finishWithoutDoneIsAccepted() async {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.openAIText(["a"], done: false))])
        let result = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.error == nil)
        #expect(result.finish == .stop)
    }

    @Test func malformedLine() async {
        let (llm, _) = makeLLM([.sse("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {not json\n\n")])
        let result = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.text == "a")
        #expect(result.providerError?.kind == .malformedResponse)
    }

    @Test func rateLimitedWithRetryAfter() async {
        let (llm, _) = makeLLM([.json(429, #"{"error":{"message":"Rate limit reached","type":"requests"}}"#,
                                      headers: ["Retry-After": "7"])])
        let error = await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).providerError
        #expect(error?.kind == .rateLimited)
        #expect(error?.retryAfter == .seconds(7))
        #expect(error?.status == 429)
    }

    @Test func httpStatusClassification() async {
        let cases: [(Int, String, ErrorClass)] = [
            (402, #"{"error":{"code":402,"message":"Insufficient credits"}}"#, .quotaExhausted),
            (401, #"{"error":{"message":"Incorrect API key provided: \#(Self.key)"}}"#, .auth),
            (400, #"{"error":{"message":"This model's maximum context length is 8192 tokens"}}"#, .contextLength),
            (429, #"{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}"#, .quotaExhausted),
        ]
        for (status, body, expected) in cases {
            let (llm, _) = makeLLM([.json(status, body)])
            let error = await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).providerError
            #expect(error?.kind == expected, "HTTP \(status)")
            #expect(error?.message.contains(Self.key) == false)
        }
    }

    @Test(arguments: [
        (HTTPError(.timeout(.total), "total timeout"), ErrorClass.timeout),
        (HTTPError(.connectFailed, "refused"), .network),
        (HTTPError(.tls, "bad cert"), .network),
        (HTTPError(.network, "reset"), .network),
        (HTTPError(.cancelled, "cancelled"), .cancelled),
    ])
    func transportErrors(error: HTTPError, expected: ErrorClass) async {
        let (llm, _) = makeLLM([.fail(error)])
        #expect(await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).providerError?.kind == expected)
    }

    @Test func cancellationStopsTheTransfer() async throws {
        let transport = ReplayTransport([.stallAfter(#"data: {"choices":[{"index":0,"delta":{"content":"first"}}]}"# + "\n\n")])
        let llm = OpenAICompatibleLLM(preset: .openAI, model: "m", apiKey: nil, transport: transport)
        let consumer = Task {
            var received: [LLMEvent] = []
            for try await event in llm.stream(LLMRequest(messages: [.user("hi")])) {
                received.append(event)
                withUnsafeCurrentTask { $0?.cancel() }
            }
            return received
        }
        // The event that arrived before the cancellation is delivered; cancelling then ends the stream
        // without an error (AsyncThrowingStream finishes a cancelled consumer's iteration with nil).
        let received = try await consumer.value
        #expect(received == [.textDelta("first")])
        // A bound for a hung transfer, not a speed test.
        for _ in 0..<2_000 where transport.stallsTerminated == 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(transport.stallsTerminated == 1)
    }
}

extension OpenAICompatibleLLMTests {
    @Test func cutMidLineIsNetworkError() async {
        let full = ProviderWireFixtures.openAIText(["abc"])
        let (llm, _) = makeLLM([.sse(String(full.prefix(full.count / 2)))])
        #expect(await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).providerError?.kind == .network)
    }
}
