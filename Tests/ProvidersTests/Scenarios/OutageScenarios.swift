import Foundation
import Providers
import TestSupport
import Testing
import Transport

/// Whole providers gone: outages end at the local last resort; a bad key disables a provider for good.
@Suite("Scenarios: outages and auth", .timeLimit(.minutes(2)))
struct OutageScenarios {
    @Test func everyRemoteDownFallsBackToTheCannedReply() async throws {
        let failing = try ScriptedHTTPServer(responses: [
            .json(status: 500, #"{"error":{"message":"The server had an error while processing your request."}}"#),
        ])
        let unavailable = try ScriptedHTTPServer(responses: [
            ScriptedResponse([.head(status: 503, headers: [("Content-Type", "text/plain")]), .text("Service Unavailable")],
                             chunked: false),
        ])
        let refused = try ScriptedHTTPServer(responses: [])
        refused.stop()  // nothing listens on this port any more: connection refused
        defer { failing.stop(); unavailable.stop() }
        let transport = try CurlHTTPClient()
        let reference = RouterReference()
        // Breakers open on the first failure, so the chain's status reflects the outage at once.
        let router = FallbackRouter<LLMCapability>(name: "llm", members: [
            Scenario.member(Scenario.groq(failing, transport), Scenario.policy(0, breakerAfter: 1)),
            Scenario.member(Scenario.anthropic(unavailable, transport), Scenario.policy(1, breakerAfter: 1)),
            Scenario.member(Scenario.openAI(refused, transport), Scenario.policy(2, breakerAfter: 1)),
            Scenario.local(downServices: { await reference.unavailable() }),
        ], logger: Scenario.quiet)
        reference.set(router)

        let first = await Scenario.ask(router)
        #expect(first.error == nil)
        #expect(first.servedBy == "local")
        #expect(first.finishes == 1)
        #expect(!first.text.isEmpty)
        #expect(first.route == ["groq→anthropic", "anthropic→openai", "openai→local"])
        #expect(first.switches.map(\.reason) == ["server", "server", "network"])
        #expect(first.elapsed < .seconds(3), "an outage is detected fast: \(first.elapsed)")

        let status = await router.status()
        #expect(status.providers.map(\.state) == [.coolingDown, .coolingDown, .coolingDown, .available])
        #expect(await router.unavailableProviders() == ["groq", "anthropic", "openai"])

        let second = await Scenario.ask(router, LLMRequest(messages: [.user("What's wrong with you?")]))
        Scenario.expectComplete(second, "I can't reach groq, anthropic and openai right now, so I'm answering from my local backup. Please try again shortly.",
                                servedBy: "local")
        #expect(second.attempts == ["local"], "benched providers are skipped")
        #expect(failing.requests.count == 1 && unavailable.requests.count == 1)
    }

    @Test func unauthorizedDisablesTheProviderWithoutRetrying() async throws {
        let badKey = try ScriptedHTTPServer(responses: [
            .json(status: 401, #"{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#),
        ])
        let good = try ScriptedHTTPServer(responses: [Scenario.sse(ProviderWireFixtures.anthropicText(Scenario.pieces))])
        defer { badKey.stop(); good.stop() }
        let transport = try CurlHTTPClient()
        let router = Scenario.router([Scenario.member(Scenario.openAI(badKey, transport), Scenario.policy(0, retries: 3)),
                                      Scenario.member(Scenario.anthropic(good, transport), Scenario.policy(1))])

        let first = await Scenario.ask(router)
        Scenario.expectComplete(first, servedBy: "anthropic")
        #expect(first.switches.map(\.reason) == ["auth"])
        #expect(badKey.requests.count == 1, "an auth failure is never retried")
        let status = await router.status()
        #expect(status.providers.first { $0.name == "openai" }?.state == .disabled)

        let second = await Scenario.ask(router)
        Scenario.expectComplete(second, servedBy: "anthropic")
        #expect(second.attempts == ["anthropic"])
        #expect(badKey.requests.count == 1, "a disabled provider is skipped on later requests")
    }
}
