import Foundation
import Logging
import Providers
import TestSupport
import Testing

@Suite("FallbackRouter with scripted providers", .timeLimit(.minutes(2)))
struct FallbackRouterTests {
    static let question = LLMRequest(messages: [.user("What is the capital of France?")])
    static let answer = "The capital of France is Paris."

    static func fast(_ priority: Int = 0, retries: Int = 0) -> ProviderPolicy {
        var policy = ProviderPolicy(priority: priority, maxRetries: retries)
        policy.firstTokenDeadline = .milliseconds(300)
        policy.idleTimeout = .milliseconds(300)
        policy.backoff = Backoff(initial: .milliseconds(10), maximum: .milliseconds(50))
        return policy
    }

    static func router(_ members: [(ScriptedLLM, ProviderPolicy)], withLocal: Bool = true, hedge: HedgePolicy? = nil,
                       cache: ResponseCache<LLMEvent>? = nil, clock: VirtualWallClock? = nil) -> FallbackRouter<LLMCapability> {
        var chain = members.map { ChainMember<LLMCapability>(name: $0.0.providerName, service: $0.0, policy: $0.1) }
        if withLocal { chain.append(ChainMember(name: "local", service: CannedReplyLLM(), policy: .lastResort)) }
        if let clock {
            return FallbackRouter(name: "test", members: chain, hedge: hedge, cache: cache, wallClock: { clock.now() })
        }
        return FallbackRouter(name: "test", members: chain, hedge: hedge, cache: cache)
    }

    @Test func primaryServesWhenHealthy() async throws {
        let primary = ScriptedLLM.answering("primary", Self.answer)
        let router = Self.router([(primary, Self.fast()), (.answering("backup", "wrong"), Self.fast(1))])
        let answer = try await RoutedAnswer.collect(router.stream(Self.question))
        #expect(answer.text == Self.answer)
        #expect(answer.servedBy == "primary")
        #expect(answer.finishes == 1)
        #expect(answer.switches.isEmpty)
    }

    @Test func rateLimitMovesOnAtOnceAndRespectsRetryAfterForLaterRequests() async throws {
        let primary = ScriptedLLM("primary") { call, _ in
            call == 0 ? [.fail(.rateLimited, retryAfter: .seconds(30))] : [.text("primary answer"), .finish]
        }
        let backup = ScriptedLLM.answering("backup", Self.answer)
        let router = Self.router([(primary, Self.fast(0, retries: 2)), (backup, Self.fast(1))])
        let first = try await RoutedAnswer.collect(router.stream(Self.question))
        #expect(first.text == Self.answer)
        #expect(first.servedBy == "backup")
        #expect(primary.calls == 1, "with another provider ready, nobody waits out a Retry-After")
        let second = try await RoutedAnswer.collect(router.stream(Self.question))
        #expect(second.servedBy == "backup")
        #expect(primary.calls == 1, "the rate-limited provider is not called again before Retry-After passes")
        #expect(await router.health("primary")?.state(now: Date()) == .rateLimited)
    }

    @Test func shortRetryAfterIsWaitedOutWhenNoOtherRemoteCanAnswer() async throws {
        let primary = ScriptedLLM("primary") { call, _ in
            call == 0 ? [.fail(.rateLimited, retryAfter: .milliseconds(200))] : [.text(Self.answer), .finish]
        }
        let router = Self.router([(primary, Self.fast(0, retries: 1))])
        let start = ContinuousClock.now
        let answer = try await RoutedAnswer.collect(router.stream(Self.question))
        #expect(answer.servedBy == "primary")
        #expect(answer.text == Self.answer)
        #expect(ContinuousClock.now - start >= .milliseconds(200), "Retry-After was honoured")
    }

    @Test func retryAfterBeyondTheTurnBudgetSkipsToTheNextProvider() async throws {
        let primary = ScriptedLLM("primary") { _, _ in [.fail(.rateLimited, retryAfter: .seconds(60))] }
        let router = Self.router([(primary, Self.fast(0, retries: 3))])
        var request = Self.question
        request.deadline = .now + .seconds(2)
        let start = ContinuousClock.now
        let answer = try await RoutedAnswer.collect(router.stream(request))
        #expect(answer.servedBy == "local")
        #expect(ContinuousClock.now - start < .seconds(10), "it did not wait out the 60 s Retry-After")
    }

    @Test func firstTokenDeadlineAbandonsASilentStream() async throws {
        let silent = ScriptedLLM("silent") { _, _ in [.stall] }
        let backup = ScriptedLLM.answering("backup", Self.answer)
        let router = Self.router([(silent, Self.fast()), (backup, Self.fast(1))])
        let start = ContinuousClock.now
        let answer = try await RoutedAnswer.collect(router.stream(Self.question))
        let elapsed = ContinuousClock.now - start
        #expect(answer.servedBy == "backup")
        #expect(answer.text == Self.answer)
        // The stream never yields: only the 300 ms deadline can end it (the bound is loose on purpose;
        // timing precision is measured by the benchmarks, not here).
        #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(10), "switched after the deadline: \(elapsed)")
        #expect(silent.cancellations == 1, "the silent stream was cancelled")
    }

    @Test func midStreamCutContinuesWithoutRepeatingWords() async throws {
        let primary = ScriptedLLM("primary") { _, _ in
            [.text("The capital"), .text(" of France"), .text(" is"), .fail(.network)]
        }
        // The backup restarts the sentence, as real models often do.
        let backup = ScriptedLLM.answering("backup", Self.answer)
        let router = Self.router([(primary, Self.fast()), (backup, Self.fast(1))])
        let answer = try await RoutedAnswer.collect(router.stream(Self.question))
        #expect(answer.text == Self.answer, "heard: \(answer.text)")
        #expect(answer.finishes == 1)
        let continuation = try #require(backup.requests.first)
        #expect(continuation.messages.dropLast().last == .assistant("The capital of France is"))
        #expect(continuation.messages.last?.content.contains("Continue it from exactly where it stopped") == true)
    }

    @Test(arguments: [
        ("The capital of France is", " Paris.", "The capital of France is Paris."),
        ("The capital of France is", "France is Paris.", "The capital of France is Paris."),
        ("The capital of France is", "the capital of France is Paris.", "The capital of France is Paris."),
        ("Hello", "there!", "Hello there!"),
        ("It is ", "sunny.", "It is sunny."),
    ])
    func spliceRemovesOverlap(spoken: String, continuation: String, heard: String) {
        var splicer = LLMSplicer(after: [.textDelta(spoken)])
        var out = splicer.accept(.textDelta(continuation)) + splicer.accept(.finish(.stop))
        out += splicer.finish()
        let text = spoken + out.compactMap { if case .textDelta(let t) = $0 { return t } else { return nil } }.joined()
        #expect(text == heard)
    }

    @Test func toolCallIsNeverEmittedTwiceAcrossFailover() async throws {
        let call = ToolCall(id: "call_1", name: "getWeather", arguments: #"{"location":"Paris"}"#)
        let primary = ScriptedLLM("primary") { _, _ in [.tool(call), .fail(.server)] }
        let backup = ScriptedLLM("backup") { _, _ in
            [.tool(ToolCall(id: "toolu_9", name: "getWeather", arguments: #"{ "location": "Paris" }"#)), .finish]
        }
        let router = Self.router([(primary, Self.fast()), (backup, Self.fast(1))])
        let answer = try await RoutedAnswer.collect(router.stream(Self.question))
        #expect(answer.toolCalls == [call])
        #expect(answer.servedBy == "backup")
    }

    @Test func everyRemoteDownGivesTheCannedReply() async throws {
        let a = ScriptedLLM("a") { _, _ in [.fail(.server)] }
        let b = ScriptedLLM("b") { _, _ in [.fail(.quotaExhausted)] }
        let c = ScriptedLLM("c") { _, _ in [.fail(.network)] }
        let router = Self.router([(a, Self.fast()), (b, Self.fast(1)), (c, Self.fast(2))])
        let answer = try await RoutedAnswer.collect(router.stream(Self.question))
        #expect(answer.servedBy == "local")
        #expect(answer.text.contains("language service"))
        #expect(answer.switches.map(\.to) == ["b", "c", "local"])
    }

    @Test func authFailureDisablesTheProviderForLaterRequests() async throws {
        let revoked = ScriptedLLM("revoked") { _, _ in [.fail(.auth)] }
        let backup = ScriptedLLM.answering("backup", Self.answer)
        let router = Self.router([(revoked, Self.fast(0, retries: 3)), (backup, Self.fast(1))])
        _ = try await RoutedAnswer.collect(router.stream(Self.question))
        _ = try await RoutedAnswer.collect(router.stream(Self.question))
        #expect(revoked.calls == 1, "auth failures are not retried and disable the provider")
        #expect(await router.health("revoked")?.state(now: Date()) == .disabled)
    }

    @Test func transientServerErrorIsRetriedWithBackoff() async throws {
        let flaky = ScriptedLLM("flaky") { call, _ in call == 0 ? [.fail(.server)] : [.text(Self.answer), .finish] }
        let router = Self.router([(flaky, Self.fast(0, retries: 1))])
        let answer = try await RoutedAnswer.collect(router.stream(Self.question))
        #expect(answer.servedBy == "flaky")
        #expect(flaky.calls == 2)
    }

    @Test func hedgeStartsTheBackupWhenThePrimaryIsSlowAndCancelsTheLoser() async throws {
        let slow = ScriptedLLM.answering("slow", "slow answer", after: .seconds(30))
        let quick = ScriptedLLM.answering("quick", Self.answer)
        var slowPolicy = Self.fast()
        slowPolicy.firstTokenDeadline = .seconds(60)
        let router = Self.router([(slow, slowPolicy), (quick, Self.fast(1))],
                                 hedge: HedgePolicy(minimumDelay: .milliseconds(100), maximumShare: 0.1))
        let start = ContinuousClock.now
        let answer = try await RoutedAnswer.collect(router.stream(Self.question))
        #expect(answer.text == Self.answer)
        #expect(answer.servedBy == "quick")
        #expect(ContinuousClock.now - start < .seconds(10), "the backup answered long before the 30 s primary")
        #expect(slow.cancellations == 1, "the losing hedge was cancelled")
        #expect(await router.health("slow")?.breaker.consecutiveFailures == 0, "a lost race is not a failure")
        let stats = await router.stats
        #expect(stats.hedges == 1 && stats.hedgeWins == 1)
    }

    @Test func hedgesAreCappedToAShareOfRequests() async throws {
        let slow = ScriptedLLM.answering("slow", "late", after: .milliseconds(150))
        let quick = ScriptedLLM.answering("quick", Self.answer)
        let router = Self.router([(slow, Self.fast()), (quick, Self.fast(1))],
                                 hedge: HedgePolicy(minimumDelay: .milliseconds(50), maximumShare: 0.1))
        for _ in 0..<10 { _ = try await RoutedAnswer.collect(router.stream(Self.question)) }
        let stats = await router.stats
        #expect(stats.hedges >= 1 && stats.hedges <= 2, "10 requests at 10 % allow one or two hedges, got \(stats.hedges)")
    }

    @Test func cacheAnswersRepeatsAndExpires() async throws {
        let clock = VirtualWallClock()
        let primary = ScriptedLLM.answering("primary", Self.answer)
        let cache = ResponseCache<LLMEvent>(timeToLive: .seconds(86_400))
        let router = Self.router([(primary, Self.fast())], cache: cache, clock: clock)
        var request = Self.question
        request.cacheable = true
        request.temperature = 0
        _ = try await RoutedAnswer.collect(router.stream(request))
        let hit = try await RoutedAnswer.collect(router.stream(request))
        #expect(hit.servedBy == "cache")
        #expect(hit.text == Self.answer)
        #expect(primary.calls == 1)
        clock.advance(86_401)
        let expired = try await RoutedAnswer.collect(router.stream(request))
        #expect(expired.servedBy == "primary")
        #expect(primary.calls == 2)
        let live = try await RoutedAnswer.collect(router.stream(Self.question))
        #expect(live.servedBy == "primary", "requests not marked cacheable are never cached")
    }

    @Test func cancellingTheCallerIsNotAProviderFailure() async throws {
        let slow = ScriptedLLM("slow") { _, _ in [.text("Once upon"), .wait(.seconds(5)), .text(" a time"), .finish] }
        var policy = Self.fast()
        policy.idleTimeout = .seconds(10)
        let router = Self.router([(slow, policy)])
        let consumer = Task {
            for try await event in router.stream(Self.question) {
                if case .event(.textDelta) = event { break }  // barge-in after the first words
            }
        }
        try await consumer.value
        await slow.cancelled(1)  // the suite's time limit bounds this if the cancellation never arrives
        #expect(slow.cancellations == 1)
        #expect(await router.health("slow")?.breaker.consecutiveFailures == 0)
    }

    @Test func twoHundredConcurrentRequestsAllGetAnswersWhileThePrimaryFailsThirtyPercent() async throws {
        // Seeded: the same calls fail on every run. Which call fails is decided by its index, so the
        // outcome does not depend on the order in which 200 concurrent requests reach the provider.
        let fails = Self.seededFates(count: 200, failureShare: 0.3, seed: 0x5EED_F411)
        let primary = ScriptedLLM("primary") { call, _ in
            call < fails.count && fails[call] ? [.wait(.milliseconds(5)), .fail(.server)] : [.text(Self.answer), .finish]
        }
        let backup = ScriptedLLM.answering("backup", Self.answer)
        var primaryPolicy = Self.fast()
        primaryPolicy.breaker = BreakerPolicy(consecutiveFailures: 1000, failureRate: 1.1)
        let router = Self.router([(primary, primaryPolicy), (backup, Self.fast(1))])
        let answers = try await withThrowingTaskGroup(of: RoutedAnswer.self) { group in
            for _ in 0..<200 { group.addTask { try await RoutedAnswer.collect(router.stream(Self.question)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 200)
        #expect(answers.allSatisfy { $0.text == Self.answer && $0.finishes == 1 })
        let backupServed = answers.filter { $0.servedBy == "backup" }.count
        #expect(backupServed == fails.filter { $0 }.count, "exactly the failed calls fail over: \(backupServed)")
        #expect(primary.calls == 200, "no retries on the primary")
        #expect((40...80).contains(backupServed), "the seeded primary really fails about 30 %: \(backupServed)")
    }

    /// `count` seeded coin flips, true with probability `failureShare`.
    static func seededFates(count: Int, failureShare: Double, seed: UInt64) -> [Bool] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in Double.random(in: 0..<1, using: &random) < failureShare }
    }

}
