import Foundation
import Providers
import Testing

@Suite("Chain status JSON")
struct ChainStatusTests {
    @Test func statusCoversEveryProviderWithStateUsageAndLatency() async throws {
        let clock = VirtualWallClock()
        let primary = ScriptedLLM("openrouter") { _, _ in [.fail(.quotaExhausted)] }
        let backup = ScriptedLLM.answering("openai", "Paris.")
        var limited = FallbackRouterTests.fast(1)
        limited.limits = UsageLimits(requestsPerMinute: 20, requestsPerDay: 1000)
        let router = FallbackRouterTests.router([(primary, FallbackRouterTests.fast()), (backup, limited)], clock: clock)
        _ = try await RoutedAnswer.collect(router.stream(FallbackRouterTests.question))

        let status = await router.status()
        #expect(status.currentProvider == "openai")
        #expect(status.providers.map(\.name) == ["openrouter", "openai", "local"])
        let openrouter = try #require(status.providers.first)
        #expect(openrouter.state == .quotaExhausted)
        #expect(openrouter.cooldownSeconds == 300)
        #expect(openrouter.lastError?.hasPrefix("quotaExhausted") == true)
        let openai = status.providers[1]
        #expect(openai.isCurrent && openai.state == .available)
        #expect(openai.requestsThisMinute == 1 && openai.requestsToday == 1 && openai.tokensToday == 15)
        #expect(openai.costTodayUSD == 0.0001)
        #expect(openai.limits.requestsPerDay == 1000)
        #expect(openai.ttftP50Ms != nil)
        #expect(openai.currentModel == "openai-model")
        #expect(await router.unavailableProviders() == ["openrouter"])

        let json = String(decoding: try JSONEncoder().encode(status), as: UTF8.self)
        for key in ["\"current_provider\"", "\"is_current\"", "\"requests_today\"", "\"cooldown_seconds\"",
                    "\"ttft_p95_ms\"", "\"cost_today_usd\"", "\"state\":\"quota_exhausted\""] {
            #expect(json.contains(key), "status JSON lacks \(key)")
        }
        clock.advance(301)
        #expect(await router.status().providers.first?.state == .available, "quota cooldown ends after 5 minutes")
    }

    @Test(arguments: [
        ("Authorization: Bearer sk-live-abcdefghijklmnop failed", "Authorization: [REDACTED] failed"),
        ("key sk-or-v1-0123456789abcdef rejected", "key [REDACTED] rejected"),
        ("GET /v1beta/models?key=AIzaSyDUMMYDUMMYDUMMYDUMMY1", "GET /v1beta/models?key=[REDACTED]"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "token [REDACTED]"),
    ])
    func scrubberRemovesCredentials(input: String, expected: String) {
        #expect(SecretScrubber.scrub(input) == expected)
    }
}
