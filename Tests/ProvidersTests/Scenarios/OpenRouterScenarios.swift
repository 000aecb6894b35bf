import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// The OpenRouter rotation client inside a chain, on real sockets.
@Suite("Scenarios: OpenRouter rotation", .timeLimit(.minutes(2)))
struct OpenRouterScenarios {
    static let models = ["google/gemini-2.0-flash-exp:free", "openai/gpt-4o-mini"]

    static func rotation(_ server: ScriptedHTTPServer, _ transport: any HTTPTransport) -> OpenRouterRotationClient {
        OpenRouterRotationClient(models: models, apiKey: Secret("sk-or-v1-scenario-rotation-key-0001"),
                                 appName: "Steadfast", baseURL: Scenario.url(server, "/api/v1"), transport: transport,
                                 logger: Scenario.quiet)
    }

    @Test func rateLimitedModelRotatesAndTheServingModelIsRemembered() async throws {
        let models = Self.models
        let openRouter = try ScriptedHTTPServer { request in
            guard Scenario.json(request)["model"]?.stringValue == models[1] else {
                return .json(status: 429, #"{"error":{"code":429,"message":"Rate limit exceeded: free-models-per-min."}}"#,
                             headers: [("Retry-After", "1")])
            }
            return Scenario.sse(ProviderWireFixtures.openAIText(Scenario.pieces, model: models[1], cost: 0.00002,
                                                                openRouterComments: true))
        }
        let backup = try ScriptedHTTPServer(responses: [Scenario.sse(ProviderWireFixtures.openAIText(["wrong"]))])
        defer { openRouter.stop(); backup.stop() }
        let transport = try CurlHTTPClient()
        let client = Self.rotation(openRouter, transport)
        let router = Scenario.router([Scenario.member(client, Scenario.policy(0)),
                                      Scenario.member(Scenario.openAI(backup, transport), Scenario.policy(1))])

        let first = await Scenario.ask(router)
        Scenario.expectComplete(first, servedBy: "openrouter")
        #expect(first.servedModel == models[1])
        #expect(first.switches.isEmpty, "the rotation happens inside the client, invisible to the router")
        #expect(openRouter.requests.map { Scenario.json($0)["model"]?.stringValue } == models)
        #expect(openRouter.requests.allSatisfy { $0.path == "/api/v1/chat/completions" })
        #expect(await client.currentModel == models[1])

        let second = await Scenario.ask(router)
        Scenario.expectComplete(second, servedBy: "openrouter")
        #expect(openRouter.requests.count == 3)
        #expect(openRouter.requests.last.map { Scenario.json($0)["model"]?.stringValue } == models[1],
                "the next call starts with the model that served")
        #expect(backup.requests.isEmpty)
    }

    @Test func silentModelRotatesAfterItsFirstTokenDeadline() async throws {
        let models = Self.models
        let openRouter = try ScriptedHTTPServer { request in
            guard Scenario.json(request)["model"]?.stringValue == models[1] else {
                // The first model accepts the request, sends keep-alives, and never says a word.
                return ScriptedResponse([.head(status: 200, headers: [("Content-Type", "text/event-stream")]),
                                         .text(": OPENROUTER PROCESSING\n\n"), .stall])
            }
            return Scenario.sse(ProviderWireFixtures.openAIText(Scenario.pieces, model: models[1]))
        }
        defer { openRouter.stop() }
        let transport = try CurlHTTPClient()
        let client = OpenRouterRotationClient(models: models, apiKey: Secret("sk-or-v1-scenario-rotation-key-0002"),
                                              baseURL: Scenario.url(openRouter, "/api/v1"), transport: transport,
                                              modelFirstTokenDeadline: .milliseconds(300), logger: Scenario.quiet)
        // The router's deadline for the provider is longer than one model's, as the chain builder sets it.
        let router = Scenario.router([Scenario.member(client, Scenario.policy(0, firstToken: .seconds(10)))])

        let answer = await Scenario.ask(router)
        Scenario.expectComplete(answer, servedBy: "openrouter")
        #expect(answer.servedModel == models[1])
        #expect(openRouter.requests.map { Scenario.json($0)["model"]?.stringValue } == models)
        #expect(await client.currentModel == models[1], "the stalled model is skipped on the next call too")
        #expect(await openRouter.waitForClientClose(), "the stalled stream was abandoned")
    }

    @Test func paymentRequiredIsNotRotatedAndBenchesOpenRouterForTheQuotaCooldown() async throws {
        let openRouter = try ScriptedHTTPServer(responses: [
            .json(status: 402, #"{"error":{"code":402,"message":"Insufficient credits. Add more using https://openrouter.ai/settings/credits"}}"#),
        ])
        let backup = try ScriptedHTTPServer(responses: [Scenario.sse(ProviderWireFixtures.openAIText(Scenario.pieces))])
        defer { openRouter.stop(); backup.stop() }
        let transport = try CurlHTTPClient()
        let client = Self.rotation(openRouter, transport)
        let router = Scenario.router([Scenario.member(client, Scenario.policy(0)),
                                      Scenario.member(Scenario.openAI(backup, transport), Scenario.policy(1))])

        let first = await Scenario.ask(router)
        Scenario.expectComplete(first, servedBy: "openai")
        #expect(first.route == ["openrouter→openai"])
        #expect(openRouter.requests.count == 1, "a 402 is per key: no other model is tried")
        #expect(await client.currentModel == Self.models[0])

        let status = await router.status()
        let provider = try #require(status.providers.first { $0.name == "openrouter" })
        #expect(provider.state == .quotaExhausted)
        let cooldown = try #require(provider.cooldownSeconds)
        #expect((290...301).contains(cooldown), "quota cooldown ≈ 300 s, got \(cooldown)")
        #expect(provider.lastError?.hasPrefix("quotaExhausted") == true)
        let json = String(decoding: try JSONEncoder().encode(status), as: UTF8.self)
        #expect(json.contains(#""state":"quota_exhausted""#))

        let second = await Scenario.ask(router)
        Scenario.expectComplete(second, servedBy: "openai")
        #expect(second.attempts == ["openai"], "a quota-exhausted provider is skipped, not tried")
        #expect(openRouter.requests.count == 1)
    }
}
