import Foundation
import Providers
import TestSupport
import Testing
import Transport

/// Retry-After on real 429s: waited out when nobody else can answer, otherwise respected by moving on.
@Suite("Scenarios: Retry-After", .timeLimit(.minutes(2)))
struct RetryAfterScenarios {
    static let tooMany = #"{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}"#

    @Test func shortRetryAfterIsWaitedOutWhenNoOtherRemoteCanAnswer() async throws {
        let arrivals = Arrivals()
        let responses = [ScriptedResponse.json(status: 429, Self.tooMany, headers: [("Retry-After", "1")]),
                         Scenario.sse(ProviderWireFixtures.openAIText(Scenario.pieces))]
        let server = try ScriptedHTTPServer { _ in
            arrivals.record()
            return responses[min(arrivals.all.count - 1, 1)]
        }
        defer { server.stop() }
        let transport = try CurlHTTPClient()
        let router = Scenario.router([Scenario.member(Scenario.groq(server, transport), Scenario.policy(0, retries: 1))])

        let answer = await Scenario.ask(router)
        Scenario.expectComplete(answer, servedBy: "groq")
        #expect(answer.attempts == ["groq", "groq"])
        let times = arrivals.all
        try #require(times.count == 2)
        #expect(times[1] - times[0] >= .seconds(1), "the retry waited for Retry-After: \(times[1] - times[0])")
        #expect(answer.elapsed < .seconds(4), "but not much longer")
    }

    @Test func withAnotherRemoteReadyTheLimitedProviderIsLeftAloneForItsRetryAfter() async throws {
        let limited = try ScriptedHTTPServer(responses: [
            .json(status: 429, Self.tooMany, headers: [("Retry-After", "20")]),
            Scenario.sse(ProviderWireFixtures.openAIText(["too early"])),
        ])
        let backup = try ScriptedHTTPServer(responses: [Scenario.sse(ProviderWireFixtures.openAIText(Scenario.pieces))])
        defer { limited.stop(); backup.stop() }
        let transport = try CurlHTTPClient()
        let router = Scenario.router([Scenario.member(Scenario.groq(limited, transport), Scenario.policy(0, retries: 2)),
                                      Scenario.member(Scenario.openAI(backup, transport), Scenario.policy(1))])

        let first = await Scenario.ask(router)
        Scenario.expectComplete(first, servedBy: "openai")
        #expect(first.route == ["groq→openai"])
        #expect(first.elapsed < .seconds(10), "moved on at once instead of waiting 20 s: \(first.elapsed)")
        #expect(limited.requests.count == 1)

        let second = await Scenario.ask(router)
        Scenario.expectComplete(second, servedBy: "openai")
        #expect(second.attempts == ["openai"])
        #expect(limited.requests.count == 1, "not called again within its Retry-After")
        #expect(await router.status().providers.first { $0.name == "groq" }?.state == .rateLimited)
    }
}
