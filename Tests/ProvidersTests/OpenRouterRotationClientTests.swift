import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

@Suite("OpenRouter rotation")
struct OpenRouterRotationClientTests {
    static let models = ["google/gemini-2.0-flash-exp:free", "anthropic/claude-3.5-haiku", "openai/gpt-4o-mini",
                         "meta-llama/llama-3.3-70b-instruct", "mistralai/mistral-small"]

    func makeClient(_ replies: [ReplayTransport.Reply], mode: OpenRouterRotationClient.Mode = .clientRotation)
        -> (OpenRouterRotationClient, ReplayTransport) {
        let transport = ReplayTransport(replies)
        let client = OpenRouterRotationClient(models: Self.models, apiKey: Secret("sk-or-v1-test-0123456789abcdef"), mode: mode,
                                              appName: "Steadfast", appURL: "https://steadfast.example", transport: transport)
        return (client, transport)
    }

    static func requestedModel(_ transport: ReplayTransport, _ index: Int) -> String? {
        transport.body(index)["model"]?.stringValue
    }

    @Test func rotatesOn429502503AndRemembersTheIndex() async throws {
        let (client, transport) = makeClient([
            .json(429, #"{"error":{"code":429,"message":"Rate limit exceeded: free-models-per-min"}}"#),
            .json(502, #"{"error":{"code":502,"message":"Provider returned error"}}"#),
            .json(503, #"{"error":{"code":503,"message":"No available model provider"}}"#),
            .sse(ProviderWireFixtures.openAIText(["ok"], model: "openai/gpt-4o-mini")),
            .sse(ProviderWireFixtures.openAIText(["again"])),
        ])
        let first = await collect(client.stream(LLMRequest(messages: [.user("hi")])))
        #expect(first.error == nil)
        #expect(first.text == "ok")
        #expect((0..<4).map { Self.requestedModel(transport, $0) } == Array(Self.models[0..<4]))
        #expect(await client.currentModel == Self.models[3])
        #expect(await client.lastServedModel == Self.models[3])
        _ = await collect(client.stream(LLMRequest(messages: [.user("again")])))
        #expect(Self.requestedModel(transport, 4) == Self.models[3])
    }

    @Test func rotatesOnMidStreamErrorBeforeOutput() async {
        let (client, transport) = makeClient([
            .sse(ProviderWireFixtures.openAIMidStreamError(code: 502)),
            .sse(ProviderWireFixtures.openAIText(["fine"])),
        ])
        let result = await collect(client.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.text == "fine")
        #expect(transport.requests.count == 2)
    }

    @Test func failureAfterOutputIsThrownNotRotated() async {
        let (client, transport) = makeClient([
            .sse(ProviderWireFixtures.openAIMidStreamError(code: 502, textBefore: ["Hello"])),
            .sse(ProviderWireFixtures.openAIText(["never"])),
        ])
        let result = await collect(client.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.text == "Hello")
        #expect(result.providerError?.kind == .server)
        #expect(transport.requests.count == 1)
    }

    @Test func paymentRequiredDoesNotRotate() async {
        let (client, transport) = makeClient([
            .json(402, #"{"error":{"code":402,"message":"Insufficient credits"}}"#),
            .sse(ProviderWireFixtures.openAIText(["never"])),
        ])
        let result = await collect(client.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.providerError?.kind == .quotaExhausted)
        #expect(transport.requests.count == 1)
        #expect(await client.currentModel == Self.models[0])
    }

    @Test func everyModelTriedOnceThenTheLastErrorIsThrown() async {
        let replies = Self.models.map { _ in ReplayTransport.Reply.json(503, #"{"error":{"code":503,"message":"down"}}"#) }
        let (client, transport) = makeClient(replies + [.sse(ProviderWireFixtures.openAIText(["never"]))])
        let result = await collect(client.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.providerError?.kind == .server)
        #expect(transport.requests.count == Self.models.count)
    }

    @Test func freeTierLimitIsNamed() async {
        let transport = ReplayTransport([.json(429, #"{"error":{"code":429,"message":"Rate limit exceeded"}}"#)])
        let single = OpenRouterRotationClient(models: ["google/gemini-2.0-flash-exp:free"], apiKey: nil, transport: transport)
        let error = await collect(single.stream(LLMRequest(messages: [.user("hi")]))).providerError
        #expect(error?.kind == .rateLimited)
        #expect(error?.message.contains("free-tier limit (20/min, 50 or 1000/day)") == true)
    }

    @Test(arguments: [
        ("gemini", "google/gemini-2.0-flash-exp:free"), ("claude", "anthropic/claude-3.5-haiku"),
        ("GPT", "openai/gpt-4o-mini"), ("llama", "meta-llama/llama-3.3-70b-instruct"), ("mistral", "mistralai/mistral-small"),
        ("OpenAI/GPT-4o-mini", "openai/gpt-4o-mini"), ("gpt-4o-mini", "openai/gpt-4o-mini"), ("haiku", "anthropic/claude-3.5-haiku"),
    ])
    func switchModelFuzzyMatching(query: String, expected: String) async throws {
        let (client, _) = makeClient([])
        #expect(try await client.switchModel(to: query) == expected)
        #expect(await client.currentModel == expected)
    }

    @Test func switchModelUnknownListsAvailable() async {
        let (client, _) = makeClient([])
        do {
            try await client.switchModel(to: "grok")
            Issue.record("expected an error")
        } catch {
            #expect(error.requested == "grok")
            #expect(error.availableModels == Self.models)
            #expect(error.description.contains("openai/gpt-4o-mini"))
        }
        #expect(await client.currentModel == Self.models[0])
    }

    @Test func serverFallbackSendsModelsArrayAndReportsServedModel() async throws {
        let (client, transport) = makeClient([.sse(ProviderWireFixtures.openAIText(["hi"], model: "anthropic/claude-3.5-haiku",
                                                                                   cost: 0.0001, openRouterComments: true))],
                                             mode: .serverFallback)
        let result = await collect(client.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.error == nil)
        #expect(result.usage?.costUSD == 0.0001)
        let body = transport.body()
        #expect(body["models"] == .array(Self.models.map(JSONValue.string)))
        #expect(body["model"] == .string(Self.models[0]))
        #expect(await client.lastServedModel == "anthropic/claude-3.5-haiku")
    }

    @Test func attributionHeaders() async throws {
        let (client, transport) = makeClient([.sse(ProviderWireFixtures.openAIText(["hi"]))])
        _ = await collect(client.stream(LLMRequest(messages: [.user("hi")])))
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "https://openrouter.ai/api/v1/chat/completions")
        #expect(request.headers["HTTP-Referer"] == "https://steadfast.example")
        #expect(request.headers["X-Title"] == "Steadfast")
        #expect(request.headers["X-OpenRouter-Title"] == "Steadfast")
        #expect(request.headers["Authorization"] == "Bearer sk-or-v1-test-0123456789abcdef")
        #expect(client.providerName == "openrouter")
    }
}

extension OpenRouterRotationClientTests {
    @Test func rotatesOnTimeoutAndCutBeforeOutput() async {
        let (client, transport) = makeClient([
            .fail(HTTPError(.timeout(.firstByte), "no response head")),
            .sse(ProviderWireFixtures.openAIText(["x"], done: false, includeUsage: false).components(separatedBy: "\n\n")[0] + "\n\n"),
            .json(408, #"{"error":{"code":408,"message":"Request timed out"}}"#),
            .sse(ProviderWireFixtures.openAIText(["ok"])),
        ])
        let result = await collect(client.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.text == "ok")
        #expect(transport.requests.count == 4)
        #expect(await client.currentModel == Self.models[3])
    }
}
