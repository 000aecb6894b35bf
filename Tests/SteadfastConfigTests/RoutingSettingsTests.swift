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
        ("openrouter:\n  mode: sideways\n", "line 2: openrouter.mode: must be client or server, not \"sideways\""),
        ("llm:\n  turn_budget_ms: soon\n", "line 2: llm.turn_budget_ms: expected a whole number"),
        ("llm: [\n", "not valid YAML"),
    ])
    func errorsNameTheFileAndField(text: String, fragment: String) {
        #expect {
            try RoutingSettings.parse(text, fileName: "steadfast.yaml")
        } throws: { error in
            let message = (error as? ConfigError)?.message ?? ""
            return message.hasPrefix("steadfast.yaml line ") && message.contains(fragment) && !message.contains("\n")
        }
    }

    static func provider(_ line: String) -> String {
        "llm:\n  providers:\n    openai:\n      \(line)\n"
    }

    /// Issue 9: numbers are range-checked where they enter, naming file, line, field and range.
    @Test(arguments: [
        (provider("limits: { daily_reset_hour_utc: 9223372036854775807 }"),
         "line 4: llm.providers.openai.limits.daily_reset_hour_utc: expected a whole number from 0 to 23, not \"9223372036854775807\""),
        (provider("limits: { daily_reset_hour_utc: 24 }"), "daily_reset_hour_utc: expected a whole number from 0 to 23"),
        (provider("limits: { rpm: -1 }"), "line 4: llm.providers.openai.limits.rpm: expected a whole number from 1 to"),
        (provider("limits: { rpd: -5 }"), "llm.providers.openai.limits.rpd: expected a whole number from 1"),
        (provider("limits: { tpm: -1 }"), "llm.providers.openai.limits.tpm: expected a whole number from 1"),
        (provider("limits: { tpd: 99999999999999999999 }"), "llm.providers.openai.limits.tpd: expected a whole number"),
        (provider("limits: { daily_budget_usd: -1 }"), "daily_budget_usd: expected a number from 0 to 1000000, not \"-1\""),
        (provider("limits: { daily_budget_usd: .nan }"), "daily_budget_usd: expected a number from 0"),
        (provider("cooldown_seconds: -30"), "line 4: llm.providers.openai.cooldown_seconds: expected a whole number from 0"),
        (provider("first_token_deadline_ms: -1"), "first_token_deadline_ms: expected a whole number from 1 to 3600000"),
        (provider("max_retries: 1000000"), "max_retries: expected a whole number from 0 to 10"),
        (provider("price_per_million_input: -0.5"), "price_per_million_input: expected a number from 0"),
        ("llm:\n  turn_budget_ms: -5\n", "line 2: llm.turn_budget_ms: expected a whole number from 1 to 3600000"),
        ("llm:\n  hedging: { max_share: 5 }\n", "line 2: llm.hedging.max_share: expected a number from 0 to 1, not \"5\""),
        ("llm:\n  hedging: { min_delay_ms: -400 }\n", "llm.hedging.min_delay_ms: expected a whole number from 0"),
        ("llm:\n  cache: { ttl_hours: 1e400 }\n", "llm.cache.ttl_hours: expected a number from 0 to 8760"),
        ("openrouter:\n  free_requests_per_day: -50\n", "line 2: openrouter.free_requests_per_day: expected a whole number"),
    ])
    func outOfRangeNumbersAreRefused(text: String, fragment: String) {
        #expect {
            try RoutingSettings.parse(text, fileName: "steadfast.yaml")
        } throws: { error in
            let message = (error as? ConfigError)?.message ?? ""
            return message.hasPrefix("steadfast.yaml line ") && message.contains(fragment)
        }
    }

    @Test(arguments: [
        (provider("limits: { rmp: 60 }"), "line 4: llm.providers.openai.limits.rmp: unknown key; did you mean rpm?"),
        (provider("modle: gpt-4o"), "line 4: llm.providers.openai.modle: unknown key; did you mean model?"),
        ("llm:\n  turn_budget: 9000\n", "line 2: llm.turn_budget: unknown key; did you mean turn_budget_ms?"),
        ("lmm:\n  order: [openai]\n", "line 1: lmm: unknown key; did you mean llm?"),
        ("llm:\n  providers:\n    opneai: {}\n", "line 3: llm.providers.opneai: unknown provider \"opneai\"; did you mean openai?"),
        ("llm:\n  hedging: { enabled: true, \"\\e[2J\": x }\n", "llm.hedging.\\x1b[2J: unknown key"),
    ])
    func unknownKeysAreRefusedWithTheClosestMatch(text: String, fragment: String) {
        #expect {
            try RoutingSettings.parse(text, fileName: "steadfast.yaml")
        } throws: { error in
            let message = (error as? ConfigError)?.message ?? ""
            return message.contains(fragment) && !message.contains("\u{1B}")
        }
    }

    @Test(arguments: [
        (provider("limits: { rpm: lots }"), "line 4: llm.providers.openai.limits.rpm: expected a whole number from 1 to 1000000000, not \"lots\""),
        (provider("limits: [60]"), "line 4: llm.providers.openai.limits: expected a mapping"),
        ("llm:\n  hedging: { enabled: maybe }\n", "line 2: llm.hedging.enabled: expected true or false, not \"maybe\""),
        ("llm:\n  order: openai\n", "line 2: llm.order: expected a list"),
        ("- just\n- a list\n", "line 1: (top level): expected a mapping"),
    ])
    func typeErrorsNameTheLine(text: String, fragment: String) {
        #expect {
            try RoutingSettings.parse(text, fileName: "steadfast.yaml")
        } throws: { error in
            let message = (error as? ConfigError)?.message ?? ""
            return message.hasPrefix("steadfast.yaml line ") && message.contains(fragment)
        }
    }

    @Test func limitsAtTheEdgesOfTheirRangesAreAccepted() throws {
        let settings = try RoutingSettings.parse(Self.provider(
            "limits: { rpm: 1, rpd: 1_000, daily_budget_usd: 0, daily_reset_hour_utc: 23 }"))
        let limits = try #require(settings.llm.providers?["openai"]?.limits)
        #expect(limits.rpm == 1 && limits.rpd == 1000 && limits.dailyBudgetUsd == 0 && limits.dailyResetHourUtc == 23)
        #expect(try RoutingSettings.parse("llm:\n  hedging: { max_share: 1 }\n").llm.hedging?.maxShare == 1)
        #expect(try RoutingSettings.parse("llm:\n  providers:\n    groq:\n").llm.providers?["groq"] != nil)
    }

    @Test func anAliasBombInSteadfastYAMLIsRefused() {
        #expect {
            try RoutingSettings.parse("llm:\n  order: [openai]\n" + YAMLDocumentTests.aliasBomb(), fileName: "steadfast.yaml")
        } throws: { error in
            (error as? ConfigError)?.message.contains("expand to more than") == true
        }
    }

    @Test func aNamedFileMustExistButTheDefaultMayBeAbsent() throws {
        #expect(try RoutingSettings.load(path: "/nonexistent/steadfast.yaml") == RoutingSettings())
        #expect(throws: ConfigError(.invalid, "no such file: /nonexistent/steadfast.yaml")) {
            try RoutingSettings.load(path: "/nonexistent/steadfast.yaml", required: true)
        }
        #expect {
            try RoutingSettings.load(path: "/", required: true)
        } throws: { error in
            (error as? ConfigError)?.message == "/ is a directory, not a file"
        }
    }
}
