import Foundation
import Providers
import Testing
import Transport

/// The router's sans-IO core on a virtual clock: no sleeps, exact instants.
@Suite("RouterCore (virtual clock)")
struct RouterCoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15 08:00:00 UTC

    static func core(_ policies: [(String, ProviderPolicy)]) -> RouterCore {
        RouterCore(members: policies.map { (name: $0.0, policy: $0.1) })
    }

    static func failure(_ kind: ErrorClass, retryAfter: Duration? = nil) -> ProviderError {
        ProviderError(kind, "scripted", provider: "p", retryAfter: retryAfter)
    }

    static func drain(_ core: inout RouterCore) -> [RouterCore.Output] {
        var outputs: [RouterCore.Output] = []
        while let output = core.pollOutput() { outputs.append(output) }
        return outputs
    }

    @Test func priorityOrdersTheChainAndTiesKeepChainOrder() {
        let core = Self.core([("c", .init(priority: 2)), ("a", .init(priority: 1)), ("b", .init(priority: 1)),
                              ("local", .lastResort)])
        #expect(core.order == ["a", "b", "c", "local"])
        #expect(core.plan(now: Self.t0, estimatedTokens: 10).eligible == ["a", "b", "c", "local"])
    }

    @Test func breakerOpensThenHalfOpenProbeThenCloses() {
        var policy = ProviderPolicy()
        policy.breaker = BreakerPolicy(consecutiveFailures: 3, cooldown: .seconds(300))
        var core = Self.core([("primary", policy), ("local", .lastResort)])
        var now = Self.t0
        for _ in 0..<3 {
            let result1 = core.admit("primary", now: now, estimatedTokens: 1)
            #expect(result1)
            core.handle(.failed(provider: "primary", error: Self.failure(.server)), now: now)
            now += 1
        }
        #expect(core.health("primary")?.state(now: now) == .coolingDown)
        #expect(Self.drain(&core) == [.availabilityChanged(provider: "primary", from: .available, to: .coolingDown,
                                                           until: Self.t0.addingTimeInterval(302))])
        #expect(core.plan(now: now, estimatedTokens: 1).eligible == ["local"])

        // 299 s after opening: still open. At 300 s: one probe allowed, a second caller is refused.
        #expect(core.plan(now: Self.t0.addingTimeInterval(301), estimatedTokens: 1).eligible == ["local"])
        now = Self.t0.addingTimeInterval(302)
        #expect(core.nextDeadline == now, "the core asks to be woken when the circuit half-opens")
        core.handle(RouterCore.timeout, now: now)
        #expect(core.plan(now: now, estimatedTokens: 1).eligible == ["primary", "local"])
        let result2 = core.admit("primary", now: now, estimatedTokens: 1)
        #expect(result2)
        let result3 = core.admit("primary", now: now, estimatedTokens: 1)
        #expect(!result3, "only one half-open probe")
        core.handle(.succeeded(provider: "primary", ttft: .milliseconds(300), tokens: 20, costUSD: nil), now: now)
        #expect(core.health("primary")?.breaker.state == .closed)
        let result4 = core.admit("primary", now: now, estimatedTokens: 1)
        #expect(result4)
    }

    @Test func failedProbeReopensForAnotherCooldown() {
        var policy = ProviderPolicy()
        policy.breaker = BreakerPolicy(consecutiveFailures: 1, cooldown: .seconds(60))
        var core = Self.core([("p", policy)])
        _ = core.admit("p", now: Self.t0, estimatedTokens: 1)
        core.handle(.failed(provider: "p", error: Self.failure(.timeout)), now: Self.t0)
        let probeTime = Self.t0.addingTimeInterval(60)
        let result5 = core.admit("p", now: probeTime, estimatedTokens: 1)
        #expect(result5)
        core.handle(.failed(provider: "p", error: Self.failure(.timeout)), now: probeTime)
        #expect(core.health("p")?.breaker.state == .open(until: probeTime.addingTimeInterval(60)))
    }

    @Test func cancelledProbeFreesTheSlotAndIsNotAFailure() {
        var policy = ProviderPolicy()
        policy.breaker = BreakerPolicy(consecutiveFailures: 1, cooldown: .seconds(60))
        var core = Self.core([("p", policy)])
        _ = core.admit("p", now: Self.t0, estimatedTokens: 1)
        core.handle(.failed(provider: "p", error: Self.failure(.server)), now: Self.t0)
        let later = Self.t0.addingTimeInterval(61)
        let result6 = core.admit("p", now: later, estimatedTokens: 1)
        #expect(result6)
        core.handle(.cancelled(provider: "p"), now: later)
        let result7 = core.admit("p", now: later, estimatedTokens: 1)
        #expect(result7, "the probe slot is free again")
    }

    @Test func failureRateOpensTheBreakerWithoutConsecutiveFailures() {
        var policy = ProviderPolicy()
        policy.breaker = BreakerPolicy(consecutiveFailures: 100, failureRate: 0.5, window: 10, minimumCalls: 10)
        var core = Self.core([("p", policy)])
        for index in 0..<10 {
            _ = core.admit("p", now: Self.t0, estimatedTokens: 1)
            if !index.isMultiple(of: 2) {  // the 10th call fails: 5 of 10
                core.handle(.failed(provider: "p", error: Self.failure(.server)), now: Self.t0)
            } else {
                core.handle(.succeeded(provider: "p", ttft: nil, tokens: 1, costUSD: nil), now: Self.t0)
            }
        }
        #expect(core.health("p")?.state(now: Self.t0) == .coolingDown)
    }

    @Test func dailyRequestLimitSkipsBeforeA429AndResetsAtUTCMidnight() {
        var policy = ProviderPolicy()
        policy.limits = UsageLimits(requestsPerDay: 2)
        var core = Self.core([("groq", policy), ("local", .lastResort)])
        let evening = Date(timeIntervalSince1970: 1_800_057_000)  // 2027-01-15 23:50:00 UTC
        for _ in 0..<2 {
            let result8 = core.admit("groq", now: evening, estimatedTokens: 1)
            #expect(result8)
            core.handle(.succeeded(provider: "groq", ttft: nil, tokens: 5, costUSD: nil), now: evening)
        }
        let plan = core.plan(now: evening, estimatedTokens: 1)
        #expect(plan.eligible == ["local"])
        #expect(plan.skipped.first?.reason == "would exceed requestsPerDay limit")
        #expect(core.health("groq")?.state(now: evening) == .quotaExhausted)
        #expect(core.health("groq")?.availableAgainAt(now: evening) == Date(timeIntervalSince1970: 1_800_057_600))

        let afterMidnight = Date(timeIntervalSince1970: 1_800_057_601)
        #expect(core.plan(now: afterMidnight, estimatedTokens: 1).eligible == ["groq", "local"])
        #expect(core.health("groq", now: afterMidnight)?.usage.requestsToday == 0)
    }

    @Test func dailyResetHourIsConfigurable() {
        // Reset at 07:00 UTC (midnight Pacific in summer).
        let day = UsageCounter.dayStart(containing: Date(timeIntervalSince1970: 1_800_000_000), resetHourUTC: 7)
        #expect(day == Date(timeIntervalSince1970: 1_799_996_400))  // 2027-01-15 07:00 UTC
    }

    @Test func perMinuteAndTokenLimits() {
        var policy = ProviderPolicy()
        policy.limits = UsageLimits(requestsPerMinute: 1, tokensPerMinute: 100)
        var core = Self.core([("p", policy)])
        #expect(core.plan(now: Self.t0, estimatedTokens: 150).skipped.first?.reason == "would exceed tokensPerMinute limit")
        let result9 = core.admit("p", now: Self.t0, estimatedTokens: 10)
        #expect(result9)
        #expect(core.plan(now: Self.t0, estimatedTokens: 10).eligible.isEmpty)
        #expect(core.plan(now: Self.t0.addingTimeInterval(60), estimatedTokens: 10).eligible == ["p"])
    }

    @Test func dailyDollarBudget() {
        var policy = ProviderPolicy()
        policy.limits = UsageLimits(dailyBudgetUSD: 0.01)
        var core = Self.core([("p", policy)])
        _ = core.admit("p", now: Self.t0, estimatedTokens: 1)
        core.handle(.succeeded(provider: "p", ttft: nil, tokens: 1000, costUSD: 0.012), now: Self.t0)
        #expect(core.plan(now: Self.t0, estimatedTokens: 1).skipped.first?.reason == "would exceed dailyBudget limit")
        #expect(core.health("p")?.usage.costTodayUSD == 0.012)
    }

    @Test func quotaExhaustionCoolsDownFiveMinutesThenRecovers() {
        var core = Self.core([("openrouter", ProviderPolicy()), ("local", .lastResort)])
        _ = core.admit("openrouter", now: Self.t0, estimatedTokens: 1)
        core.handle(.failed(provider: "openrouter", error: Self.failure(.quotaExhausted)), now: Self.t0)
        #expect(Self.drain(&core) == [.availabilityChanged(provider: "openrouter", from: .available, to: .quotaExhausted,
                                                           until: Self.t0.addingTimeInterval(300))])
        #expect(core.plan(now: Self.t0.addingTimeInterval(299), estimatedTokens: 1).eligible == ["local"])
        #expect(core.nextDeadline == Self.t0.addingTimeInterval(300), "the core asks to be woken when the bench ends")
        core.handle(RouterCore.timeout, now: Self.t0.addingTimeInterval(300))
        #expect(core.plan(now: Self.t0.addingTimeInterval(300), estimatedTokens: 1).eligible == ["openrouter", "local"])
        #expect(Self.drain(&core) == [.availabilityChanged(provider: "openrouter", from: .quotaExhausted, to: .available,
                                                           until: nil)])
    }

    @Test func authFailureDisablesUntilEnabledAgain() {
        var core = Self.core([("openai", ProviderPolicy()), ("local", .lastResort)])
        core.handle(.failed(provider: "openai", error: Self.failure(.auth)), now: Self.t0)
        #expect(core.health("openai")?.state(now: Self.t0.addingTimeInterval(86_400)) == .disabled)
        core.handle(.enable(provider: "openai"), now: Self.t0)
        #expect(core.health("openai")?.state(now: Self.t0) == .available)
    }

    @Test func retryAfterAndExhaustedHeadersBenchTheProvider() {
        var core = Self.core([("p", ProviderPolicy()), ("q", ProviderPolicy())])
        core.handle(.failed(provider: "p", error: Self.failure(.rateLimited, retryAfter: .seconds(30))), now: Self.t0)
        #expect(core.health("p")?.availableAgainAt(now: Self.t0) == Self.t0.addingTimeInterval(30))
        core.handle(.rateLimitHeaders(provider: "q", RateLimitInfo(remainingRequests: 0, resetRequests: .seconds(12))),
                    now: Self.t0)
        #expect(core.health("q")?.state(now: Self.t0) == .rateLimited)
        #expect(core.plan(now: Self.t0.addingTimeInterval(13), estimatedTokens: 1).eligible == ["q"])
    }

    @Test func requestFaultsDoNotCountAgainstTheProvider() {
        var policy = ProviderPolicy()
        policy.breaker = BreakerPolicy(consecutiveFailures: 1)
        var core = Self.core([("p", policy)])
        for kind in [ErrorClass.badRequest, .contextLength, .contentPolicy, .cancelled] {
            core.handle(.failed(provider: "p", error: Self.failure(kind)), now: Self.t0)
        }
        #expect(core.health("p")?.state(now: Self.t0) == .available)
    }

    @Test func backoffGrowsExponentiallyWithBoundedJitter() {
        let backoff = Backoff(initial: .milliseconds(100), multiplier: 2, maximum: .seconds(1), jitter: 0.2)
        #expect(backoff.delay(attempt: 1, unit: 0.5) == .milliseconds(100))
        #expect(backoff.delay(attempt: 3, unit: 0.5) == .milliseconds(400))
        #expect(backoff.delay(attempt: 10, unit: 0.5) == .seconds(1))
        #expect(backoff.delay(attempt: 1, unit: 0) == .milliseconds(80))
        #expect(backoff.delay(attempt: 1, unit: 1) == .milliseconds(120))
    }
}

@Suite("RouterCore rate limits")
struct RouterCoreRateLimitTests {
    @Test func repeatedShortRateLimitsDoNotOpenTheBreaker() {
        var core = RouterCore(members: [(name: "p", policy: ProviderPolicy())])
        var now = RouterCoreTests.t0
        for _ in 0..<5 {
            _ = core.admit("p", now: now, estimatedTokens: 1)
            core.handle(.failed(provider: "p", error: RouterCoreTests.failure(.rateLimited, retryAfter: .seconds(1))), now: now)
            now = now.addingTimeInterval(1.5)
        }
        #expect(core.health("p")?.state(now: now) == .available, "benched for each Retry-After only")
        #expect(core.health("p")?.breaker.state == .closed)
    }
}

@Suite("RouterCore preferred provider")
struct RouterCorePreferenceTests {
    @Test func preferringAProviderPutsItFirstAndNilRestoresTheConfiguredOrder() {
        var core = RouterCore(members: [(name: "openrouter", policy: .init(priority: 1)),
                                        (name: "openai", policy: .init(priority: 2)),
                                        (name: "local", policy: .lastResort)])
        core.prefer("openai")
        #expect(core.order == ["openai", "openrouter", "local"])
        #expect(core.configuredOrder == ["openrouter", "openai", "local"])
        core.prefer("nobody")
        #expect(core.order.first == "openai")
        core.prefer(nil)
        #expect(core.order == ["openrouter", "openai", "local"])
    }
}
