import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// A provider that reports an exhausted window on a successful response is skipped before it 429s.
@Suite("Rate limits learned from response headers", .timeLimit(.minutes(2)))
struct RateLimitLearningTests {
    @Test func exhaustedWindowOnSuccessBenchesTheProviderBeforeA429() async throws {
        let exhausted: [(String, String)] = [
            ("x-ratelimit-limit-requests", "14400"), ("x-ratelimit-remaining-requests", "0"),
            ("x-ratelimit-reset-requests", "30s"),
        ]
        let groq = try ScriptedHTTPServer(responses: [
            ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(["Paris."]), headers: exhausted)),
        ])
        let openai = try ScriptedHTTPServer(responses: [
            ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(["Also Paris."]))),
        ])
        defer { groq.stop(); openai.stop() }
        let config = try ConfigurationLoader(environment: [
            "GROQ_API_KEY": "gsk-test", "GROQ_BASE_URL": groq.baseURL.absoluteString + "/openai/v1",
            "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": openai.baseURL.absoluteString + "/v1",
            "LLM_PROVIDER": "groq",
        ], envFile: nil).load()
        // Generous deadlines: this test is about headers, and a loaded CI machine must not turn it into a timeout test.
        let settings = try RoutingSettings.parse("""
            llm:
              providers:
                groq: { first_token_deadline_ms: 30000, max_retries: 0 }
                openai: { first_token_deadline_ms: 30000, max_retries: 0 }
            """)
        let router = try LLMChainBuilder(configuration: config, settings: settings, transport: try CurlHTTPClient())
            .build(.standard)

        let first = try await RoutedAnswer.collect(router.stream(FallbackRouterTests.question))
        #expect(first.servedBy == "groq" && first.text == "Paris.")
        let second = try await RoutedAnswer.collect(router.stream(FallbackRouterTests.question))
        #expect(second.servedBy == "openai", "groq said its window is empty; it is not called again")
        #expect(groq.requests.count == 1)
        let status = await router.status()
        let groqStatus = try #require(status.providers.first { $0.name == "groq" })
        #expect(groqStatus.state == .rateLimited)
        #expect((groqStatus.cooldownSeconds ?? 0) > 20 && (groqStatus.cooldownSeconds ?? 0) <= 30)
    }
}
