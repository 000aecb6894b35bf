import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// README / docs/llm-chains.md promises that had no test: a quota Retry-After longer than the
/// 5-minute bench, `daily_reset_hour_utc` inside the router, cost from the price table, and the
/// response cache's `max_entries` and directory. RouterCore cases run on a virtual clock.
@Suite("Router promises")
struct RouterPromisesTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15 08:00:00 UTC

    static func builder(_ settings: String) throws -> LLMChainBuilder {
        let config = try ConfigurationLoader(environment: ["GROQ_API_KEY": "gsk-b"], envFile: nil).load()
        return LLMChainBuilder(configuration: config, settings: try RoutingSettings.parse(settings),
                               transport: LLMChainBuilderTests.NoNetwork())
    }

    // MARK: Quota bench

    /// 402 with Retry-After: 900 benches the provider for 15 minutes, not the default 5.
    @Test func quotaRetryAfterLongerThanFiveMinutesWins() {
        var core = RouterCore(members: [(name: "p", policy: ProviderPolicy()), (name: "local", policy: .lastResort)])
        core.handle(.failed(provider: "p", error: ProviderError(.quotaExhausted, "402", provider: "p",
                                                                retryAfter: .seconds(900))), now: Self.t0)
        #expect(core.health("p")?.availableAgainAt(now: Self.t0) == Self.t0.addingTimeInterval(900))
        #expect(core.plan(now: Self.t0.addingTimeInterval(300), estimatedTokens: 1).eligible == ["local"],
                "still benched when the default 5 minutes are over")
        #expect(core.plan(now: Self.t0.addingTimeInterval(899), estimatedTokens: 1).eligible == ["local"])
        #expect(core.plan(now: Self.t0.addingTimeInterval(900), estimatedTokens: 1).eligible == ["p", "local"])
    }

    /// A shorter Retry-After does not shorten the 5-minute bench.
    @Test func quotaRetryAfterShorterThanFiveMinutesKeepsTheBench() {
        var core = RouterCore(members: [(name: "p", policy: ProviderPolicy()), (name: "local", policy: .lastResort)])
        core.handle(.failed(provider: "p", error: ProviderError(.quotaExhausted, "402", provider: "p",
                                                                retryAfter: .seconds(30))), now: Self.t0)
        #expect(core.health("p")?.availableAgainAt(now: Self.t0) == Self.t0.addingTimeInterval(300))
    }

    // MARK: daily_reset_hour_utc

    /// With the reset at 07:00 UTC, a daily limit used up at 06:50 frees at 07:00, and one used up
    /// at 07:10 does not free at midnight UTC.
    @Test func dailyResetHourMovesTheRoutersDailyWindow() {
        var policy = ProviderPolicy()
        policy.limits = UsageLimits(requestsPerDay: 1, dailyResetHourUTC: 7)
        var core = RouterCore(members: [(name: "groq", policy: policy), (name: "local", policy: .lastResort)])
        let sevenAM = Date(timeIntervalSince1970: 1_799_996_400)  // 2027-01-15 07:00 UTC
        let before = sevenAM.addingTimeInterval(-600)
        let admitted1 = core.admit("groq", now: before, estimatedTokens: 1)
        #expect(admitted1)
        #expect(core.plan(now: before, estimatedTokens: 1).eligible == ["local"])
        #expect(core.health("groq")?.availableAgainAt(now: before) == sevenAM)
        #expect(core.plan(now: sevenAM, estimatedTokens: 1).eligible == ["groq", "local"])

        let after = sevenAM.addingTimeInterval(600)
        let admitted2 = core.admit("groq", now: after, estimatedTokens: 1)
        #expect(admitted2)
        let nextMidnight = Date(timeIntervalSince1970: 1_800_057_600)  // 2027-01-16 00:00 UTC
        #expect(core.plan(now: nextMidnight.addingTimeInterval(1), estimatedTokens: 1).eligible == ["local"],
                "midnight UTC is not the reset any more")
        #expect(core.health("groq")?.availableAgainAt(now: after) == sevenAM.addingTimeInterval(86_400))
    }

    /// `limits.daily_reset_hour_utc` in steadfast.yaml reaches the router's policy.
    @Test func dailyResetHourFromSettingsReachesTheRouter() async throws {
        let router = try Self.builder("""
            llm:
              providers:
                groq:
                  limits: { rpd: 3, daily_reset_hour_utc: 7 }
            """).build(.standard)
        #expect(await router.health("groq")?.policy.limits.dailyResetHourUTC == 7)
        let usage = try #require(await router.health("groq")?.usage)
        #expect(Int(usage.dayStart.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400)) == 7 * 3600,
                "the counter's day starts at 07:00 UTC: \(usage.dayStart)")
    }

    // MARK: Price table

    /// A provider that reports no cost is charged from its price table (every token at the output
    /// rate, an upper bound), and that charge counts against the daily budget.
    @Test func costComesFromThePriceTableWhenTheProviderReportsNone() {
        var policy = ProviderPolicy()
        policy.pricePerMillionInputTokens = 0.15
        policy.pricePerMillionOutputTokens = 0.6
        policy.limits = UsageLimits(dailyBudgetUSD: 0.001)
        var core = RouterCore(members: [(name: "p", policy: policy)])
        let admitted3 = core.admit("p", now: Self.t0, estimatedTokens: 1)
        #expect(admitted3)
        core.handle(.succeeded(provider: "p", ttft: nil, tokens: 1_000, costUSD: nil), now: Self.t0)
        let cost = core.health("p")?.usage.costTodayUSD ?? 0
        #expect(abs(cost - 0.0006) < 1e-12, "\(cost)")
        #expect(core.plan(now: Self.t0, estimatedTokens: 1).eligible == ["p"])
        let admitted4 = core.admit("p", now: Self.t0, estimatedTokens: 1)
        #expect(admitted4)
        core.handle(.succeeded(provider: "p", ttft: nil, tokens: 1_000, costUSD: nil), now: Self.t0)
        #expect(core.plan(now: Self.t0, estimatedTokens: 1).skipped.first?.reason == "would exceed dailyBudget limit")
    }

    /// A reported cost wins over the table.
    @Test func reportedCostWinsOverThePriceTable() {
        var policy = ProviderPolicy()
        policy.pricePerMillionOutputTokens = 0.6
        var core = RouterCore(members: [(name: "p", policy: policy)])
        core.handle(.succeeded(provider: "p", ttft: nil, tokens: 1_000, costUSD: 0.5), now: Self.t0)
        #expect(core.health("p")?.usage.costTodayUSD == 0.5)
    }

    /// End to end: prices from steadfast.yaml, a routed answer whose usage carries no cost.
    @Test func routedAnswerIsPricedFromSettings() async throws {
        let builder = try Self.builder("""
            llm:
              providers:
                groq: { price_per_million_input: 0.15, price_per_million_output: 0.6 }
            """)
        let policy = try #require(await builder.build(.standard).health("groq")?.policy)
        #expect(policy.pricePerMillionInputTokens == 0.15 && policy.pricePerMillionOutputTokens == 0.6)

        let unpriced = UnpricedLLM()
        let router = FallbackRouter<LLMCapability>(
            name: "priced", members: [ChainMember(name: "groq", service: unpriced, policy: policy)],
            logger: Scenario.quiet)
        _ = await Scenario.ask(router)
        let cost = try #require(await router.health("groq")?.usage.costTodayUSD)
        #expect(abs(cost - 1_500 * 0.6 / 1_000_000) < 1e-12, "\(cost)")
    }

    // MARK: Response cache

    /// `max_entries` bounds the cache; the least recently used entry goes first.
    @Test func cacheKeepsAtMostMaxEntries() async {
        let cache = ResponseCache<LLMEvent>(capacity: 2)
        await cache.store("a", events: [.textDelta("A")], now: Self.t0)
        await cache.store("b", events: [.textDelta("B")], now: Self.t0.addingTimeInterval(1))
        _ = await cache.lookup("a", now: Self.t0.addingTimeInterval(2))  // a is now the most recent
        await cache.store("c", events: [.textDelta("C")], now: Self.t0.addingTimeInterval(3))
        #expect(cache.count == 2)
        #expect(await cache.lookup("b", now: Self.t0.addingTimeInterval(4)) == nil)
        #expect(await cache.lookup("a", now: Self.t0.addingTimeInterval(4)) == [.textDelta("A")])
        #expect(await cache.lookup("c", now: Self.t0.addingTimeInterval(4)) == [.textDelta("C")])
    }

    /// With a directory, entries survive a restart (a new cache on the same directory), expire after
    /// the TTL, and the directory holds no more than `max_entries` answers.
    @Test func cacheDirectorySurvivesARestartAndStaysBounded() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("steadfast-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = ResponseCache<LLMEvent>(timeToLive: .seconds(3600), capacity: 2, directory: directory)
        for (index, key) in ["a", "b", "c"].enumerated() {
            await first.store(key, events: [.textDelta(key.uppercased())], now: Self.t0.addingTimeInterval(Double(index)))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 2, "the directory is bounded by max_entries too: \(files)")

        let restarted = ResponseCache<LLMEvent>(timeToLive: .seconds(3600), capacity: 2, directory: directory)
        #expect(await restarted.lookup("c", now: Self.t0.addingTimeInterval(10)) == [.textDelta("C")])
        #expect(await restarted.lookup("a", now: Self.t0.addingTimeInterval(10)) == nil, "evicted, also from disk")
        #expect(await restarted.lookup("c", now: Self.t0.addingTimeInterval(3_603)) == nil, "expired after the TTL")
    }

    /// `llm.cache` in steadfast.yaml builds a cache in that directory: a cacheable request is answered
    /// once by the chain, then from the cache, and the answer is on disk.
    @Test func cacheSettingsReachTheRouter() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("steadfast-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let router = try Self.builder("""
            llm:
              cache: { enabled: true, directory: \(directory.path), max_entries: 5 }
            """).build(.local)
        let request = LLMRequest(messages: [.user("What are your opening hours?")], cacheable: true)
        let first = await Scenario.ask(router, request)
        #expect(first.servedBy == "local")
        let second = await Scenario.ask(router, request)
        #expect(second.servedBy == "cache")
        #expect(second.text == first.text)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.filter { $0.hasSuffix(".json") }.count == 1)
    }
}

/// Answers "fine" and reports 1000 input + 500 output tokens, with no cost.
struct UnpricedLLM: LLM {
    var providerName: String { "groq" }
    var model: String { get async { "unpriced" } }
    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        AsyncThrowingStream { continuation in
            continuation.yield(.textDelta("fine"))
            continuation.yield(.usage(Usage(inputTokens: 1_000, outputTokens: 500)))
            continuation.yield(.finish(.stop))
            continuation.finish()
        }
    }
}

/// The same promise through a real adapter: a 402 with `Retry-After: 900` from Groq's wire format,
/// the chain built by `LLMChainBuilder` with a fixed wall clock.
@Suite("Router promises (real sockets)", .timeLimit(.minutes(1)))
struct RouterPromisesSocketTests {
    @Test func quotaErrorWithALongRetryAfterBenchesTheProviderThatLong() async throws {
        let server = try ScriptedHTTPServer { _ in
            .json(status: 402, #"{"error":{"message":"insufficient_quota","type":"insufficient_quota"}}"#,
                  headers: [("Retry-After", "900")])
        }
        defer { server.stop() }
        let config = try ConfigurationLoader(environment: [
            "GROQ_API_KEY": "gsk-b", "GROQ_BASE_URL": "http://127.0.0.1:\(server.port)/openai/v1",
        ], envFile: nil).load()
        let t0 = RouterPromisesTests.t0
        let router = try LLMChainBuilder(configuration: config, transport: try CurlHTTPClient(), logger: Scenario.quiet,
                                         wallClock: { t0 }).build(.single(.groq))
        let answer = await Scenario.ask(router)
        #expect(answer.servedBy == "local")
        let health = try #require(await router.health("groq"))
        #expect(health.state(now: t0) == .quotaExhausted, "\(health.lastError ?? "")")
        #expect(health.availableAgainAt(now: t0) == t0.addingTimeInterval(900))
        #expect(health.state(now: t0.addingTimeInterval(301)) == .quotaExhausted)
    }
}
