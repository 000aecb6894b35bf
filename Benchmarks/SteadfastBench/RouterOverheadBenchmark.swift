import Foundation
import Providers

/// 2. Router overhead per request: the same in-process instant LLM called directly, and through a
/// `FallbackRouter` with that one member plus the local last resort. Target: < 1 ms per request.
/// Both are timed to the first token and to the end of the stream, interleaved per iteration.
enum RouterOverheadBenchmark {
    static let name = "2. Router overhead"

    static func run(_ options: BenchOptions) async throws -> (rows: [ResultRow], derived: [DerivedRow]) {
        let instant = InstantLLM(providerName: "instant")
        let router = FallbackRouter<LLMCapability>(name: "overhead", members: [
            ChainMember(name: "instant", service: instant, policy: Fixtures.remotePolicy(priority: 0)),
            Fixtures.local(),
        ], logger: Fixtures.quietLogger("bench.router"))

        let iterations = options.iterations(1000)
        progress("\(name): \(iterations) iterations")
        let samples = try await measure(iterations: iterations, warmup: options.warmup(100)) {
            let directStart = ContinuousClock.now
            let direct = try await timeDirect(instant.stream(Fixtures.request), start: directStart)
            let routedStart = ContinuousClock.now
            let routed = try await timeRouted(router.stream(Fixtures.request), start: routedStart)
            guard routed.servedBy == "instant", let directTTFT = direct.ttft, let directTotal = direct.total,
                  let routedTTFT = routed.ttft, let routedTotal = routed.total
            else { throw BenchFailure("router overhead iteration was not served by the instant LLM: \(routed)") }
            return [directTTFT, routedTTFT, directTotal, routedTotal]
        }
        let (directTTFT, routedTTFT, directTotal, routedTotal) = (samples[0], samples[1], samples[2], samples[3])
        let rows = [
            ResultRow(benchmark: name, scenario: "Baseline: instant LLM direct (TTFT)", samples: directTTFT),
            ResultRow(benchmark: name, scenario: "Instant LLM via router (TTFT)", samples: routedTTFT, baseline: directTTFT),
            ResultRow(benchmark: name, scenario: "Baseline: instant LLM direct (whole answer)", samples: directTotal),
            ResultRow(benchmark: name, scenario: "Instant LLM via router (whole answer)", samples: routedTotal,
                      baseline: directTotal),
        ]
        let difference = DerivedRow(
            benchmark: name, scenario: "**Router overhead per request** (whole answer, routed − direct)",
            count: routedTotal.count, median: routedTotal.median - directTotal.median, p90: routedTotal.p90 - directTotal.p90,
            p99: routedTotal.p99 - directTotal.p99,
            ratio: "\(Report.ratio(routedTotal.median / directTotal.median)) / \(Report.ratio(routedTotal.p99 / directTotal.p99))",
            target: "< 1 ms", limit: .milliseconds(1))
        let (longRows, perDelta) = try await longAnswer(options)
        return (rows + longRows, [difference, perDelta])
    }

    static let longDeltas = 1000

    /// Per-event cost: a 1000-delta answer direct and via the router (would expose anything
    /// super-linear in the number of events).
    static func longAnswer(_ options: BenchOptions) async throws -> ([ResultRow], DerivedRow) {
        let long = InstantLLM(providerName: "instant", pieces: Array(repeating: " word", count: longDeltas))
        let router = FallbackRouter<LLMCapability>(name: "long", members: [
            ChainMember(name: "instant", service: long, policy: Fixtures.remotePolicy(priority: 0)),
            Fixtures.local(),
        ], logger: Fixtures.quietLogger("bench.router"))
        let iterations = options.iterations(200)
        progress("\(name), \(longDeltas)-delta answer: \(iterations) iterations")
        let samples = try await measure(iterations: iterations, warmup: options.warmup(20)) {
            let directStart = ContinuousClock.now
            let direct = try await timeDirect(long.stream(Fixtures.request), start: directStart)
            let routedStart = ContinuousClock.now
            let routed = try await timeRouted(router.stream(Fixtures.request), start: routedStart)
            guard routed.servedBy == "instant", let directTotal = direct.total, let routedTotal = routed.total
            else { throw BenchFailure("long-answer iteration was not served by the instant LLM: \(routed)") }
            return [directTotal, routedTotal]
        }
        let (direct, routed) = (samples[0], samples[1])
        let n = Double(longDeltas)
        let rows = [
            ResultRow(benchmark: name, scenario: "Baseline: \(longDeltas)-delta answer direct (whole answer)", samples: direct),
            ResultRow(benchmark: name, scenario: "\(longDeltas)-delta answer via router (whole answer)", samples: routed,
                      baseline: direct),
        ]
        let perDelta = DerivedRow(
            benchmark: name, scenario: "Router cost per streamed delta ((routed − direct) / \(longDeltas))",
            count: routed.count, median: (routed.median - direct.median) / n, p90: (routed.p90 - direct.p90) / n,
            p99: (routed.p99 - direct.p99) / n,
            ratio: "\(Report.ratio(routed.median / direct.median)) / \(Report.ratio(routed.p99 / direct.p99))", target: "")
        return (rows, perDelta)
    }
}
