import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

@Suite("Gemini adapter")
struct GeminiLLMTests {
    func makeLLM(_ replies: [ReplayTransport.Reply]) -> (GeminiLLM, ReplayTransport) {
        let transport = ReplayTransport(replies)
        return (GeminiLLM(model: "gemini-2.0-flash", apiKey: Secret("AIzaTestKey1234567890abcdef"), transport: transport), transport)
    }

    @Test func requestShapeAndHeaders() async throws {
        let (llm, transport) = makeLLM([.sse(ProviderWireFixtures.geminiText(["Hi"]))])
        _ = await collect(llm.stream(fullRequest))
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString
            == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse")
        #expect(request.headers["x-goog-api-key"] == "AIzaTestKey1234567890abcdef")
        let body = transport.body()
        #expect(body["systemInstruction"]?["parts"]?.arrayValue?.first?["text"] == .string("You are terse."))
        let contents = try #require(body["contents"]?.arrayValue)
        #expect(contents.map { $0["role"]?.stringValue } == ["user", "model", "user"])
        let callPart = contents[1]["parts"]?.arrayValue?.first
        #expect(callPart?["functionCall"]?["name"] == .string("get_weather"))
        #expect(callPart?["functionCall"]?["args"]?["city"] == .string("Paris"))
        #expect(callPart?["thoughtSignature"] == .string("SIG123"))
        let responsePart = contents[2]["parts"]?.arrayValue?.first
        #expect(responsePart?["functionResponse"]?["name"] == .string("get_weather"))
        #expect(responsePart?["functionResponse"]?["response"]?["temp"] == .number(21))
        #expect(body["tools"]?.arrayValue?.first?["functionDeclarations"]?.arrayValue?.first?["name"] == .string("get_weather"))
        #expect(body["toolConfig"]?["functionCallingConfig"]?["mode"] == .string("ANY"))
        #expect(body["generationConfig"]?["maxOutputTokens"] == .number(200))
    }

    @Test func textStreamWithUsage() async {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.geminiText(["Ciao", " mondo"], thoughtTokens: 2))])
        let result = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.error == nil)
        #expect(result.text == "Ciao mondo")
        #expect(result.usage == Usage(inputTokens: 10, outputTokens: 8))
        #expect(result.finish == .stop)
    }

    @Test(arguments: [("MAX_TOKENS", FinishReason.length), ("SAFETY", .contentFilter), ("OTHER", .other)])
    func finishMapping(raw: String, expected: FinishReason) async {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.geminiText(["a"], finishReason: raw))])
        #expect(await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).finish == expected)
    }

    @Test func functionCallKeepsThoughtSignature() async throws {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.geminiFunctionCall(name: "get_weather", argsJSON: #"{"city":"Rome"}"#))])
        let result = await collect(llm.stream(fullRequest))
        #expect(result.error == nil)
        let call = try #require(result.toolCalls.first)
        #expect(call.name == "get_weather")
        #expect(call.arguments == #"{"city":"Rome"}"#)
        #expect(call.id.hasPrefix("call_") && call.id.count <= 64)
        #expect(call.providerMetadata["gemini.thoughtSignature"] == "CiQBVKhc7sig")
        #expect(result.usage == Usage(inputTokens: 30, outputTokens: 28, cachedTokens: 4))
        #expect(result.finish == .toolCalls)
    }

    @Test func streamWithoutFinishReasonIsNetworkError() async {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.geminiText(["a", "b"], finishReason: nil))])
        let result = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        #expect(result.text == "ab")
        #expect(result.providerError?.kind == .network)
    }

    @Test func errorFrame() async {
        let (llm, _) = makeLLM([.sse(ProviderWireFixtures.geminiText(["a"], finishReason: nil) + ProviderWireFixtures.geminiErrorFrame())])
        #expect(await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).providerError?.kind == .server)
    }

    @Test func malformedFrame() async {
        let (llm, _) = makeLLM([.sse("data: {\"candidates\": [\n\n")])
        #expect(await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).providerError?.kind == .malformedResponse)
    }

    @Test func httpErrors() async {
        let perMinute = #"{"error":{"code":429,"message":"Quota exceeded for metric: generate_content_free_tier_requests, limit: 15 per minute","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]}}"#
        let (llm, _) = makeLLM([.json(429, perMinute)])
        let error = await collect(llm.stream(LLMRequest(messages: [.user("hi")]))).providerError
        #expect(error?.kind == .rateLimited)
        #expect(error?.retryAfter == .seconds(37))
        let (daily, _) = makeLLM([.json(429, #"{"error":{"code":429,"message":"Quota exceeded for quota metric GenerateRequestsPerDayPerProjectPerModel-FreeTier","status":"RESOURCE_EXHAUSTED"}}"#)])
        #expect(await collect(daily.stream(LLMRequest(messages: [.user("hi")]))).providerError?.kind == .quotaExhausted)
        let (bad, _) = makeLLM([.json(400, #"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}"#)])
        #expect(await collect(bad.stream(LLMRequest(messages: [.user("hi")]))).providerError?.kind == .badRequest)
    }
}
