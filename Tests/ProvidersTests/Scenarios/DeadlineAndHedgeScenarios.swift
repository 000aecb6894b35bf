import Foundation
import Providers
import TestSupport
import Testing
import Transport

/// Streams that open and then say nothing: the first-token deadline and hedging, on real sockets.
@Suite("Scenarios: first-token deadline and hedging", .timeLimit(.minutes(2)))
struct DeadlineAndHedgeScenarios {
    enum Silence: String, CaseIterable, Sendable {
        /// 200 + SSE head, then nothing at all.
        case headOnly
        /// 200 + SSE head, then only `: OPENROUTER PROCESSING` keep-alive comments.
        case keepAliveComments
    }

    @Test(arguments: Silence.allCases)
    func stalledStreamIsAbandonedAtTheFirstTokenDeadline(silence: Silence) async throws {
        var actions: [ScriptedAction] = [.head(status: 200, headers: [("Content-Type", "text/event-stream")])]
        if silence == .keepAliveComments {
            for _ in 0..<40 { actions += [.text(": OPENROUTER PROCESSING\n\n"), .pause(.milliseconds(100))] }
        }
        let stalled = try ScriptedHTTPServer(responses: [ScriptedResponse(actions + [.stall])])
        let backup = try ScriptedHTTPServer(responses: [Scenario.sse(ProviderWireFixtures.anthropicText(Scenario.pieces))])
        defer { stalled.stop(); backup.stop() }
        let transport = try CurlHTTPClient()
        let deadline = Duration.milliseconds(500)
        let router = Scenario.router([
            Scenario.member(Scenario.openAI(stalled, transport), Scenario.policy(0, firstToken: deadline)),
            Scenario.member(Scenario.anthropic(backup, transport), Scenario.policy(1)),
        ])

        let answer = await Scenario.ask(router)
        Scenario.expectComplete(answer, servedBy: "anthropic")
        let handover = try #require(answer.switches.first)
        #expect(handover.from == "openai" && handover.to == "anthropic")
        #expect(handover.reason == "timeout")
        #expect(handover.at >= deadline, "not abandoned before its deadline: \(handover.at)")
        // The stream would stay silent for ever (4 s of keep-alives, then a stall): only the deadline ends it.
        // The upper bound is loose for loaded CI machines; the benchmarks measure the precision.
        #expect(handover.at < deadline + .seconds(3), "abandoned soon after its deadline: \(handover.at)")
        #expect(await stalled.waitForClientClose(), "the stalled connection was closed by the client")
        #expect(await router.health("openai")?.lastError?.hasPrefix("timeout") == true)
    }

    @Test func streamStallingMidAnswerIsContinuedAfterTheIdleTimeout() async throws {
        let stalling = try ScriptedHTTPServer(responses: [
            ScriptedResponse(ProviderWireFixtures.scripted(Scenario.openAIPartial) + [.stall]),
        ])
        let gemini = try ScriptedHTTPServer(responses: [Scenario.sse(ProviderWireFixtures.geminiText(["Paris."]))])
        defer { stalling.stop(); gemini.stop() }
        let transport = try CurlHTTPClient()
        var policy = Scenario.policy(0)
        policy.idleTimeout = .milliseconds(400)
        let router = Scenario.router([Scenario.member(Scenario.openAI(stalling, transport), policy),
                                      Scenario.member(Scenario.gemini(gemini, transport), Scenario.policy(1))])

        let answer = await Scenario.ask(router)
        Scenario.expectComplete(answer, servedBy: "gemini")
        let handover = try #require(answer.switches.first)
        #expect(handover.reason == "timeout mid-answer")
        // Loose upper bound (a loaded CI machine); it still separates the 400 ms idle timeout from the 3 s first-token deadline.
        #expect(handover.at >= .milliseconds(400) && handover.at < .milliseconds(2500), "\(handover.at)")
        #expect(await stalling.waitForClientClose())
    }

    @Test func hedgeWinsWhilePrimaryThinksAndTheLoserIsCancelledNotBlamed() async throws {
        let slowStart: [ScriptedAction] = [.head(status: 200, headers: [("Content-Type", "text/event-stream")]),
                                           .pause(.seconds(8))]
        let primary = try ScriptedHTTPServer(responses: [
            ScriptedResponse(slowStart + ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(["slow"])).dropFirst()),
        ])
        let backup = try ScriptedHTTPServer(responses: [Scenario.sse(ProviderWireFixtures.anthropicText(Scenario.pieces))])
        defer { primary.stop(); backup.stop() }
        let transport = try CurlHTTPClient()
        let router = Scenario.router(
            [Scenario.member(Scenario.openAI(primary, transport), Scenario.policy(0, firstToken: .seconds(5))),
             Scenario.member(Scenario.anthropic(backup, transport), Scenario.policy(1))],
            hedge: HedgePolicy(minimumDelay: .milliseconds(150), maximumShare: 1))

        let answer = await Scenario.ask(router)
        Scenario.expectComplete(answer, servedBy: "anthropic")
        #expect(answer.attempts == ["openai", "anthropic"])
        #expect(answer.switches.isEmpty, "a hedge is a race, not a failover")
        #expect(answer.elapsed >= .milliseconds(150), "the hedge waited its minimum delay")
        #expect(answer.elapsed < .seconds(5), "the backup won well before the primary's 8 s: \(answer.elapsed)")
        #expect(await primary.waitForClientClose(timeout: .seconds(3)),
                "the losing primary's connection was closed before its 8 s pause ended")
        #expect(backup.requests.count == 1 && primary.requests.count == 1)

        let health = try #require(await router.health("openai"))
        #expect(health.breaker.consecutiveFailures == 0, "a lost hedge is not a failure")
        #expect(health.lastError == nil)
        #expect(health.state(now: Date()) == .available)
        let stats = await router.stats
        #expect(stats.hedges == 1 && stats.hedgeWins == 1)
    }

    /// The hedge partner is admitted up front, which takes its half-open probe. When the primary answers
    /// before the hedge delay the hedge never starts, and the probe must be handed back: otherwise the
    /// partner stays "cooling down" for ever and the chain silently loses a provider.
    @Test func hedgeThatNeverStartsReleasesThePartnersHalfOpenProbe() async throws {
        let primary = try ScriptedHTTPServer(responses: [
            .json(status: 500, #"{"error":{"message":"boom"}}"#),
            Scenario.sse(ProviderWireFixtures.openAIText(Scenario.pieces)),
            .json(status: 500, #"{"error":{"message":"boom"}}"#),
        ])
        let backup = try ScriptedHTTPServer(responses: [
            .json(status: 503, #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#),
            Scenario.sse(ProviderWireFixtures.anthropicText(Scenario.pieces)),
        ])
        defer { primary.stop(); backup.stop() }
        let transport = try CurlHTTPClient()
        let clock = VirtualWallClock()
        var primaryPolicy = Scenario.policy(0, firstToken: .seconds(5))
        primaryPolicy.breaker = BreakerPolicy(consecutiveFailures: 10)
        let router = FallbackRouter<LLMCapability>(
            name: "llm",
            members: [Scenario.member(Scenario.openAI(primary, transport), primaryPolicy),
                      Scenario.member(Scenario.anthropic(backup, transport), Scenario.policy(1, breakerAfter: 1)),
                      Scenario.local()],
            hedge: HedgePolicy(minimumDelay: .seconds(8), maximumShare: 1), logger: Scenario.quiet,
            wallClock: { clock.now() })

        // 1. Both remotes fail: the backup's circuit opens. The primary fails at once, so the hedge
        //    starts at once too instead of sleeping out its 2 s delay.
        let first = await Scenario.ask(router)
        #expect(first.servedBy == "local")
        #expect(first.attempts.prefix(2) == ["openai", "anthropic"])
        #expect(first.elapsed < .seconds(5), "a failed primary does not hold the 8 s hedge back: \(first.elapsed)")
        #expect(await router.health("anthropic")?.state(now: clock.now()) == .coolingDown)
        // 2. After the breaker cooldown the backup is half-open; the primary answers before the hedge delay.
        clock.advance(301)
        let second = await Scenario.ask(router)
        Scenario.expectComplete(second, servedBy: "openai")
        #expect(second.attempts == ["openai"], "the hedge never started")
        #expect(backup.requests.count == 1)
        #expect(await router.health("anthropic")?.state(now: clock.now()) == .available,
                "the unused hedge handed its half-open probe back")
        // 3. The primary fails again: the backup gets its probe and serves.
        let third = await Scenario.ask(router)
        Scenario.expectComplete(third, servedBy: "anthropic")
        #expect(backup.requests.count == 2)
    }
}
