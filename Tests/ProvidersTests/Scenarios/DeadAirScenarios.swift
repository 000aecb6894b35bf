import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// Issue 10's dead-air defect on real sockets: OpenRouter keeps its stream open with keep-alive
/// comments and never says a word (what it does when an upstream model is overloaded), OpenAI is the
/// healthy backup. The caller's silence is the time to the first answer byte. Before the fix the
/// default chain took 8.3 s (the rotation client rotated inside the router's 4 s deadline, then the
/// router retried OpenRouter for another 4 s); the router must ask the backup by the 2 s first-token
/// deadline and never retry a provider that just missed its deadline.
@Suite("Scenarios: dead air under a stalled OpenRouter", .timeLimit(.minutes(2)))
struct DeadAirScenarios {
    /// OpenRouter's overloaded-upstream behaviour: 200, SSE head, keep-alive comments, no tokens.
    static func keepAliveOnly() -> ScriptedResponse {
        var actions: [ScriptedAction] = [.head(status: 200, headers: [("Content-Type", "text/event-stream")])]
        for _ in 0..<100 { actions += [.text(": OPENROUTER PROCESSING\n\n"), .pause(.milliseconds(100))] }
        return ScriptedResponse(actions + [.stall])
    }

    static func chain(_ kind: LLMChainKind, openRouter: ScriptedHTTPServer,
                      openAI: ScriptedHTTPServer) throws -> FallbackRouter<LLMCapability> {
        let config = try ConfigurationLoader(environment: [
            "OPENROUTER_API_KEY": "sk-or-v1-dead-air-0001",
            "OPENROUTER_BASE_URL": "http://127.0.0.1:\(openRouter.port)/api/v1",
            "OPENROUTER_FALLBACK_MODELS": "google/gemini-3.5-flash-lite,anthropic/claude-haiku-5-5",
            "OPENAI_API_KEY": "sk-dead-air-0002", "OPENAI_BASE_URL": "http://127.0.0.1:\(openAI.port)/v1",
        ], envFile: nil).load()
        return try LLMChainBuilder(configuration: config, transport: try CurlHTTPClient(), logger: Scenario.quiet)
            .build(kind)
    }

    /// Time from the request to the first text the caller receives, and who served.
    static func firstAnswerByte(_ router: FallbackRouter<LLMCapability>) async -> (Duration?, String?, [String], [String]) {
        let start = ContinuousClock.now
        var first: Duration?
        var servedBy: String?
        var attempts: [String] = []
        var switches: [String] = []
        do {
            for try await event in router.stream(Scenario.question) {
                switch event {
                case .event(.textDelta(let text)) where !text.isEmpty && first == nil: first = .now - start
                case .attempt(let provider, _): attempts.append(provider)
                case .switched(let from, let to, let reason): switches.append("\(from)→\(to): \(reason)")
                case .served(let provider, _, _): servedBy = provider
                default: break
                }
            }
        } catch {}
        return (first, servedBy, attempts, switches)
    }

    @Test func defaultChainAsksTheBackupByTheFirstTokenDeadline() async throws {
        let openRouter = try ScriptedHTTPServer { _ in Self.keepAliveOnly() }
        let openAI = try ScriptedHTTPServer { _ in Scenario.sse(ProviderWireFixtures.openAIText(Scenario.pieces)) }
        defer { openRouter.stop(); openAI.stop() }
        let router = try Self.chain(.standard, openRouter: openRouter, openAI: openAI)
        let (first, servedBy, attempts, switches) = await Self.firstAnswerByte(router)
        let deadAir = try #require(first, "no answer at all")
        #expect(servedBy == "openai")
        #expect(attempts == ["openrouter", "openai"], "OpenRouter is asked once, then the backup")
        // Only the turn's first-token deadline gives this switch; without it OpenRouter failed at its own 4 s
        // ("timeout") and was retried. steadfast-bench measures the time itself (2.0 s); a loaded test
        // machine only gets a bound that separates it from the 8.2 s of the defect.
        #expect(switches == ["openrouter→openai: no output within the first-token deadline"])
        #expect(deadAir >= .seconds(2), "the backup waited for the 2 s first-token deadline: \(deadAir)")
        #expect(deadAir < .seconds(7), "dead air \(deadAir)")
        #expect(await router.health("openrouter")?.lastError?.hasPrefix("timeout") == true, "it missed the turn's deadline")
    }

    @Test func bulletproofChainHedgesTheStalledPrimary() async throws {
        let openRouter = try ScriptedHTTPServer { _ in Self.keepAliveOnly() }
        let openAI = try ScriptedHTTPServer { _ in Scenario.sse(ProviderWireFixtures.openAIText(Scenario.pieces)) }
        defer { openRouter.stop(); openAI.stop() }
        let router = try Self.chain(.bulletproof, openRouter: openRouter, openAI: openAI)
        let (first, servedBy, attempts, switches) = await Self.firstAnswerByte(router)
        let deadAir = try #require(first, "no answer at all")
        #expect(servedBy == "openai")
        #expect(attempts == ["openrouter", "openai"])
        #expect(switches.isEmpty, "a hedge is a race, not a failover: \(switches)")
        #expect(deadAir >= .milliseconds(400), "the hedge waited its 400 ms: \(deadAir)")
        #expect(deadAir < .seconds(4), "answered before OpenRouter's own deadline: \(deadAir)")
    }
}
