import Foundation
import Providers
import SteadfastConfig
import Synchronization
import TestSupport
import Testing
import Transport

/// The defaults docs/llm-chains.md and the README promise: first-token deadline 2 s (4 s for the
/// OpenRouter rotation client, which rotates models after 1.8 s of silence), 5 s idle, a breaker
/// that opens after 3 failures or 50 % over 20 calls and cools down for 5 minutes, a 5-minute quota
/// bench, a 20 s turn budget and a hedge trigger of max(400 ms, p90). Values first, then their
/// effect on RouterCore's virtual clock.
@Suite("Documented router defaults")
struct DocumentedDefaultsTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func builder(_ environment: [String: String]) throws -> LLMChainBuilder {
        let config = try ConfigurationLoader(environment: environment, envFile: nil).load()
        return LLMChainBuilder(configuration: config, settings: RoutingSettings(),
                               transport: LLMChainBuilderTests.NoNetwork())
    }

    // MARK: Values

    @Test func providerPolicyDefaults() {
        let policy = ProviderPolicy()
        #expect(policy.firstTokenDeadline == .seconds(2))
        #expect(policy.idleTimeout == .seconds(5))
        #expect(policy.quotaCooldown == .seconds(300))
        #expect(policy.breaker.consecutiveFailures == 3)
        #expect(policy.breaker.failureRate == 0.5)
        #expect(policy.breaker.window == 20)
        #expect(policy.breaker.cooldown == .seconds(300))
    }

    @Test func hedgePolicyDefaults() {
        let hedge = HedgePolicy()
        #expect(hedge.minimumDelay == .milliseconds(400))
        #expect(hedge.maximumShare == 0.1, "at most 10 % of requests are hedged")
    }

    @Test func rotationClientRotatesAfter1800Milliseconds() throws {
        let client = OpenRouterRotationClient(models: ["a/b:free"], apiKey: Secret("sk-or-x"),
                                              transport: LLMChainBuilderTests.NoNetwork())
        #expect(client.modelFirstTokenDeadline == .milliseconds(1800))
    }

    /// What `LLMChainBuilder` gives each provider when `steadfast.yaml` says nothing.
    @Test func builtChainsUseTheDocumentedDeadlines() async throws {
        let builder = try Self.builder(["OPENAI_API_KEY": "sk-a", "GROQ_API_KEY": "gsk-b",
                                        "OPENROUTER_API_KEY": "sk-or-d"])
        let router = try builder.build(.standard)
        let openRouter = try #require(await router.health("openrouter")?.policy)
        #expect(openRouter.firstTokenDeadline == .seconds(4))
        #expect(openRouter.firstTokenDeadline! > .milliseconds(1800), "the client rotates before the router gives up")
        for name in ["openai", "groq"] {
            let policy = try #require(await router.health(name)?.policy)
            #expect(policy.firstTokenDeadline == .seconds(2), "\(name)")
            #expect(policy.idleTimeout == .seconds(5), "\(name)")
            #expect(policy.breaker == BreakerPolicy(), "\(name)")
            #expect(policy.quotaCooldown == .seconds(300), "\(name)")
        }
        let members = await router.membersInOrder
        let rotation = try #require(members.first { $0.name == "openrouter" }?.service as? OpenRouterRotationClient)
        #expect(rotation.modelFirstTokenDeadline == .milliseconds(1800))
    }

    // MARK: Effects on the virtual clock

    /// Three failures in a row open the circuit for exactly 300 s; two do not.
    @Test func defaultBreakerOpensAfterThreeFailuresForFiveMinutes() {
        var core = RouterCore(members: [(name: "p", policy: ProviderPolicy()), (name: "local", policy: .lastResort)])
        for index in 0..<3 {
            #expect(core.health("p")?.state(now: Self.t0) == .available, "still available after \(index) failures")
            let admitted = core.admit("p", now: Self.t0, estimatedTokens: 1)
            #expect(admitted)
            core.handle(.failed(provider: "p", error: ProviderError(.server, "boom", provider: "p")), now: Self.t0)
        }
        #expect(core.health("p")?.state(now: Self.t0) == .coolingDown)
        #expect(core.health("p")?.availableAgainAt(now: Self.t0) == Self.t0.addingTimeInterval(300))
        #expect(core.plan(now: Self.t0.addingTimeInterval(299.9), estimatedTokens: 1).eligible == ["local"])
        #expect(core.plan(now: Self.t0.addingTimeInterval(300), estimatedTokens: 1).eligible == ["p", "local"])
    }

    /// 50 % over the last 20 calls opens the circuit, with no three failures in a row: ten successes,
    /// then success/failure alternating. The last-20 window reaches 10 of 20 failed on call 30; a
    /// 10-call window would have opened on call 20, a 40-call window not at all.
    @Test func defaultBreakerOpensAtHalfOfTheLastTwentyCalls() {
        var core = RouterCore(members: [(name: "p", policy: ProviderPolicy())])
        var openedAt: Int?
        for call in 1...40 where openedAt == nil {
            let admitted = core.admit("p", now: Self.t0, estimatedTokens: 1)
            #expect(admitted, "call \(call)")
            if call > 10, call.isMultiple(of: 2) {
                core.handle(.failed(provider: "p", error: ProviderError(.timeout, "slow", provider: "p")), now: Self.t0)
            } else {
                core.handle(.succeeded(provider: "p", ttft: nil, tokens: 1, costUSD: nil), now: Self.t0)
            }
            if core.health("p")?.state(now: Self.t0) == .coolingDown { openedAt = call }
        }
        #expect(openedAt == 30)
    }

    /// A quota error benches the provider for 5 minutes by default.
    @Test func defaultQuotaBenchIsFiveMinutes() {
        var core = RouterCore(members: [(name: "p", policy: ProviderPolicy()), (name: "local", policy: .lastResort)])
        core.handle(.failed(provider: "p", error: ProviderError(.quotaExhausted, "402", provider: "p")), now: Self.t0)
        #expect(core.plan(now: Self.t0.addingTimeInterval(299.9), estimatedTokens: 1).eligible == ["local"])
        #expect(core.plan(now: Self.t0.addingTimeInterval(300), estimatedTokens: 1).eligible == ["p", "local"])
    }

    /// The hedge trigger uses the primary's p90 TTFT (nearest rank) when it is above 400 ms.
    @Test func p90OfTenSamplesIsTheNinthFastest() {
        var stats = LatencyStats()
        for ms in [100, 200, 300, 400, 500, 600, 700, 800, 900, 5_000] { stats.record(.milliseconds(ms)) }
        #expect(stats.percentile(0.9) == .milliseconds(900))
    }
}

/// The defaults' effects that only the async router has: the 20 s turn budget against a Retry-After,
/// the 2 s first-token deadline, and max(400 ms, p90) as the hedge delay. Real sockets and a real clock;
/// only lower bounds on time are asserted (a loaded machine can only make things later).
@Suite("Documented router defaults (real time)", .timeLimit(.minutes(2)))
struct DocumentedDefaultsRealTimeTests {
    static func rateLimited(retryAfter seconds: Int) -> ScriptedResponse {
        .json(status: 429, #"{"error":{"message":"slow down","type":"rate_limit"}}"#,
              headers: [("Retry-After", "\(seconds)")])
    }

    static func groqChain(_ server: ScriptedHTTPServer) throws -> FallbackRouter<LLMCapability> {
        let base = "http://127.0.0.1:\(server.port)/openai/v1"
        let config = try ConfigurationLoader(environment: ["GROQ_API_KEY": "gsk-b", "GROQ_BASE_URL": base],
                                             envFile: nil).load()
        return try LLMChainBuilder(configuration: config, transport: try CurlHTTPClient(), logger: Scenario.quiet)
            .build(.single(.groq))
    }

    /// Retry-After 21 s is longer than the 20 s turn budget: no waiting, the local tail answers.
    @Test func retryAfterBeyondTheTurnBudgetSkipsTheProvider() async throws {
        let server = try ScriptedHTTPServer { _ in Self.rateLimited(retryAfter: 21) }
        defer { server.stop() }
        let answer = await Scenario.ask(try Self.groqChain(server))
        #expect(answer.servedBy == "local")
        #expect(server.requests.count == 1, "no retry after a wait the budget cannot afford")
    }

    /// Retry-After 19 s fits in the 20 s budget (the only remote provider): the router waits for it.
    @Test func retryAfterWithinTheTurnBudgetIsWaitedFor() async throws {
        let server = try ScriptedHTTPServer { _ in Self.rateLimited(retryAfter: 19) }
        defer { server.stop() }
        let router = try Self.groqChain(server)
        let served = AsyncFlag()
        let asking = Task { if await Scenario.ask(router).servedBy != nil { await served.set() } }
        // Synchronise on the 429 reaching the server (a loaded machine may take seconds), then give a
        // router that would not wait 1.5 s to answer from its local tail.
        #expect(await server.waitForRequests(count: 1, timeout: .seconds(30)), "the request never reached the server")
        try await Task.sleep(for: .milliseconds(1500))
        #expect(await served.value == false, "the router did not wait for a Retry-After inside its budget")
        #expect(server.requests.count == 1)
        asking.cancel()
        _ = await asking.value
    }

    /// The standard chain (no hedging) gives a silent provider its full 2 s before moving on.
    @Test func silentPrimaryIsAbandonedAfterTwoSeconds() async throws {
        let (primary, backup) = try Self.servers()
        defer { primary.stop(); backup.stop() }
        let router = try Self.chain(.standard, primary: primary, backup: backup)
        let answer = await Scenario.ask(router)
        Scenario.expectComplete(answer, servedBy: "groq")
        let handover = try #require(answer.switches.first)
        #expect(handover.at >= .seconds(2), "abandoned before the 2 s first-token deadline: \(handover.at)")
        #expect(await router.stats.hedges == 0)
    }

    /// `bulletproof` is the same chain with hedging on: the backup starts after 400 ms and wins the race.
    @Test func bulletproofHedgesAfterFourHundredMilliseconds() async throws {
        let (primary, backup) = try Self.servers()
        defer { primary.stop(); backup.stop() }
        let router = try Self.chain(.bulletproof, primary: primary, backup: backup)
        let answer = await Scenario.ask(router)
        Scenario.expectComplete(answer, servedBy: "groq")
        #expect(answer.switches.isEmpty, "a hedge is a race, not a failover")
        #expect(answer.elapsed >= .milliseconds(400), "the hedge waited its 400 ms minimum")
        let stats = await router.stats
        #expect(stats.hedges == 1 && stats.hedgeWins == 1)
    }

    /// A primary whose first tokens took ~800 ms (p90) is not hedged at 400 ms but at its p90.
    @Test func hedgeWaitsForThePrimarysP90WhenItIsAboveTheFloor() async throws {
        let primary = ScriptedLLM("primary") { call, _ in
            call == 0 ? [.wait(.milliseconds(800)), .text("slow but fine"), .finish] : [.stall]
        }
        let started = Mutex<[ContinuousClock.Instant]>([])
        let partner = ScriptedLLM("partner") { call, _ in
            started.withLock { $0.append(.now) }
            return call == 0 ? [.stall] : [.text("fast"), .finish]
        }
        var policy = ProviderPolicy()
        policy.firstTokenDeadline = .seconds(10)
        let router = FallbackRouter<LLMCapability>(
            name: "p90", members: [ChainMember(name: "primary", service: primary, policy: policy),
                                   ChainMember(name: "partner", service: partner, policy: policy)],
            hedge: HedgePolicy(maximumShare: 1), logger: Scenario.quiet)

        let first = await Scenario.ask(router)
        #expect(first.servedBy == "primary")
        let p90 = try #require(await router.health("primary")?.ttft.percentile(0.9))
        #expect(p90 >= .milliseconds(800))

        let start = ContinuousClock.now
        let second = await Scenario.ask(router)
        #expect(second.servedBy == "partner")
        let partnerStart = try #require(started.withLock { $0.count == 2 ? $0[1] : nil })
        #expect(partnerStart - start >= .milliseconds(800), "hedged after \(partnerStart - start), before the p90")
    }

    static func servers() throws -> (primary: ScriptedHTTPServer, backup: ScriptedHTTPServer) {
        let silent: [ScriptedAction] = [.head(status: 200, headers: [("Content-Type", "text/event-stream")]),
                                        .pause(.seconds(8))]
        let primary = try ScriptedHTTPServer { _ in ScriptedResponse(silent) }
        let backup = try ScriptedHTTPServer { _ in Scenario.sse(ProviderWireFixtures.openAIText(Scenario.pieces)) }
        return (primary, backup)
    }

    static func chain(_ kind: LLMChainKind, primary: ScriptedHTTPServer,
                      backup: ScriptedHTTPServer) throws -> FallbackRouter<LLMCapability> {
        let config = try ConfigurationLoader(environment: [
            "OPENAI_API_KEY": "sk-a", "OPENAI_BASE_URL": "http://127.0.0.1:\(primary.port)/v1",
            "GROQ_API_KEY": "gsk-b", "GROQ_BASE_URL": "http://127.0.0.1:\(backup.port)/openai/v1",
        ], envFile: nil).load()
        return try LLMChainBuilder(configuration: config, transport: try CurlHTTPClient(), logger: Scenario.quiet)
            .build(kind)
    }
}

/// A one-way flag shared with a task.
actor AsyncFlag {
    private(set) var value = false
    func set() { value = true }
}
