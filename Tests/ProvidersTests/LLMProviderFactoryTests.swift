import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

@Suite("LLM provider factory")
struct LLMProviderFactoryTests {
    static func configuration() -> SteadfastConfiguration {
        var configuration = SteadfastConfiguration()
        for id in ProviderID.llmProviders {
            var settings = configuration.provider(id)
            settings.apiKey = Secret("key-for-\(id.rawValue)-0123456789")
            configuration.providers[id] = settings
        }
        configuration.cloudflareAccountID = "acct42"
        configuration.openRouter.fallbackModels = ["anthropic/claude-3.5-haiku"]
        return configuration
    }

    @Test(arguments: ProviderID.llmProviders)
    func buildsEveryLLMProviderWithItsHeaders(id: ProviderID) async throws {
        let transport = ReplayTransport([.sse(""), .sse("")])
        let factory = LLMProviderFactory(configuration: Self.configuration(), transport: transport)
        let llm = try factory.makeLLM(id)
        #expect(llm.providerName == id.rawValue)
        #expect(await llm.model == LLMProviderFactory.defaultModel(for: id))
        _ = await collect(llm.stream(LLMRequest(messages: [.user("hi")])))
        let request = try #require(transport.requests.first)
        let key = "key-for-\(id.rawValue)-0123456789"
        switch id {
        case .anthropic: #expect(request.headers["x-api-key"] == key)
        case .gemini: #expect(request.headers["x-goog-api-key"] == key)
        default: #expect(request.headers["Authorization"] == "Bearer \(key)")
        }
        if id == .cloudflare { #expect(request.url.absoluteString.contains("/accounts/acct42/ai/v1/")) }
    }

    @Test func baseURLOverrideAndMissingKey() async throws {
        var configuration = Self.configuration()
        var groq = configuration.provider(.groq)
        groq.baseURL = URL(string: "http://127.0.0.1:9/v1/")
        configuration.providers[.groq] = groq
        configuration.providers[.together] = nil
        let transport = ReplayTransport([.sse("")])
        let factory = LLMProviderFactory(configuration: configuration, transport: transport)
        _ = await collect(try factory.makeLLM(.groq, model: "llama-3.3-70b-versatile").stream(LLMRequest(messages: [.user("hi")])))
        #expect(transport.requests.first?.url.absoluteString == "http://127.0.0.1:9/v1/chat/completions")
        #expect(transport.body()["model"] == .string("llama-3.3-70b-versatile"))
        #expect(throws: ProviderError.self) { try factory.makeLLM(.together) }
        #expect(throws: ProviderError.self) { try factory.makeLLM(.deepgram) }
    }

    @Test func openRouterRotationFromConfiguration() async throws {
        let factory = LLMProviderFactory(configuration: Self.configuration(), transport: ReplayTransport([]))
        let client = try #require(try factory.makeLLM(.openrouter) as? OpenRouterRotationClient)
        #expect(await client.availableModels == [LLMProviderFactory.defaultModel(for: .openrouter), "anthropic/claude-3.5-haiku"])
    }
}
