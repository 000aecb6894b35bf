import SteadfastConfig
import Testing

@Suite("steadfast.yaml")
struct RoutingSettingsTests {
    @Test func parsesEverySection() throws {
        let settings = try RoutingSettings.parse("""
            llm:
              order: [groq, openai]
              hedging: { enabled: true, min_delay_ms: 300, max_share: 0.05 }
              cache: { enabled: true, ttl_hours: 12, max_entries: 10 }
              turn_budget_ms: 9000
              providers:
                openai:
                  model: gpt-4o
                  first_token_deadline_ms: 1500
                  cooldown_seconds: 120
                  limits: { rpm: 60, rpd: 1000, daily_budget_usd: 2.5, daily_reset_hour_utc: 7 }
            openrouter:
              mode: server
              free_requests_per_day: 1000
            """)
        #expect(settings.llm.order == ["groq", "openai"])
        #expect(settings.llm.hedging?.minDelayMs == 300)
        #expect(settings.llm.cache?.ttlHours == 12)
        #expect(settings.llm.turnBudgetMs == 9000)
        let openai = try #require(settings.llm.providers?["openai"])
        #expect(openai.model == "gpt-4o" && openai.firstTokenDeadlineMs == 1500 && openai.cooldownSeconds == 120)
        #expect(openai.limits?.rpd == 1000 && openai.limits?.dailyBudgetUsd == 2.5 && openai.limits?.dailyResetHourUtc == 7)
        #expect(settings.openrouter.mode == "server" && settings.openrouter.freeRequestsPerDay == 1000)
    }

    @Test func emptyAndPartialFilesKeepDefaults() throws {
        #expect(try RoutingSettings.parse("") == RoutingSettings())
        #expect(try RoutingSettings.parse("openrouter:\n  mode: client\n").llm == RoutingSettings.LLMSettings())
    }

    @Test(arguments: [
        ("llm:\n  order: [openai, skynet]\n", "unknown provider \"skynet\""),
        ("openrouter:\n  mode: sideways\n", "openrouter.mode must be client or server"),
        ("llm:\n  turn_budget_ms: soon\n", "llm.turn_budget_ms"),
        ("llm: [\n", "not valid YAML"),
    ])
    func errorsNameTheFileAndField(text: String, fragment: String) {
        #expect {
            try RoutingSettings.parse(text, fileName: "steadfast.yaml")
        } throws: { error in
            let message = (error as? ConfigError)?.message ?? ""
            return message.hasPrefix("steadfast.yaml: ") && message.contains(fragment)
        }
    }
}
