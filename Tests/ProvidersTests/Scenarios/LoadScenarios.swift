import Foundation
import Providers
import Synchronization
import TestSupport
import Testing
import Transport

/// Many callers at once through a flaky primary: every one of them hears the whole answer once.
/// Correctness only: how fast the burst completes is a benchmark's business (`steadfast-bench`), not a
/// pass/fail rule on a shared CI machine.
@Suite("Scenarios: concurrent load", .timeLimit(.minutes(3)))
struct LoadScenarios {
    @Test func twoHundredConcurrentRequestsThroughAPrimaryFailingThirtyPercent() async throws {
        enum Fate { case serve, fail500, cutMidAnswer }
        let random = Mutex(SplitMix64(seed: 0xF1A6))
        let fates = Mutex<[Fate]>([])
        let primary = try ScriptedHTTPServer { _ in
            let roll = random.withLock { Double($0.next() % 1000) / 1000 }
            let fate: Fate = roll < 0.15 ? .fail500 : roll < 0.30 ? .cutMidAnswer : .serve
            fates.withLock { $0.append(fate) }
            switch fate {
            // Whole bodies in one chunk: the point is concurrency, and fewer wakeups keep this burst from
            // starving the timing-sensitive suites that run beside it on a 2-core machine.
            case .serve: return Scenario.sse(ProviderWireFixtures.openAIText(Scenario.pieces), chunkSize: 4096)
            case .fail500: return .json(status: 500, #"{"error":{"message":"internal error"}}"#)
            case .cutMidAnswer:
                return ScriptedResponse(ProviderWireFixtures.scripted(Scenario.openAIPartial, chunkSize: 4096)
                                        + [.pause(.milliseconds(20)), .cut])
            }
        }
        let backup = try ScriptedHTTPServer(responses: [Scenario.sse(ProviderWireFixtures.anthropicText(Scenario.pieces),
                                                                     chunkSize: 4096)])
        defer { primary.stop(); backup.stop() }
        let transport = try CurlHTTPClient()
        let router = Scenario.router([Scenario.member(Scenario.groq(primary, transport), Scenario.unbreakable(0)),
                                      Scenario.member(Scenario.anthropic(backup, transport), Scenario.unbreakable(1))])

        let answers = await withTaskGroup(of: ScenarioAnswer.self) { group in
            for _ in 0..<200 { group.addTask { await Scenario.ask(router) } }
            return await group.reduce(into: [ScenarioAnswer]()) { $0.append($1) }
        }

        #expect(answers.count == 200)
        let wrong = answers.filter { $0.error != nil || $0.text != Scenario.answer || $0.finishes != 1 }
        #expect(wrong.isEmpty, "\(wrong.count) callers got a broken answer, e.g. \(wrong.first.map { "\($0.text) / \($0.finishes) / \(String(describing: $0.error))" } ?? "")")
        let servedBy = Dictionary(grouping: answers, by: { $0.servedBy ?? "none" }).mapValues(\.count)
        let failed = fates.withLock { $0.filter { $0 != .serve }.count }
        #expect(servedBy["groq", default: 0] == 200 - failed, "served by: \(servedBy)")
        #expect(servedBy["anthropic", default: 0] == failed, "every primary failure was answered by the backup")
        #expect(failed > 30, "the primary really failed about 30 %: \(failed)")
        #expect(primary.requests.count == 200, "no retries on the primary")
        #expect(backup.requests.contains { $0.bodyText.contains(Scenario.partial) },
                "some cuts came after output, so the backup continued a partial answer")
    }
}
