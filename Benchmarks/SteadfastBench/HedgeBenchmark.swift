import Foundation
import Providers
import TestSupport
import Transport

/// 3. TTFT with a stalled primary (200 head, then nothing), on loopback sockets. With hedging
/// (minimum delay 200 ms) the backup starts after the delay, so TTFT ≈ delay + backup TTFT.
/// For comparison: no hedging, a 500 ms first-token deadline on the primary instead.
/// Baseline: the backup adapter called directly. Interleaved per iteration.
enum HedgeBenchmark {
    static let name = "3. Stalled primary"
    static let hedgeDelay = Duration.milliseconds(200)
    static let firstTokenDeadline = Duration.milliseconds(500)

    static func run(_ options: BenchOptions) async throws -> (rows: [ResultRow], derived: [DerivedRow]) {
        let transport = try CurlHTTPClient(logger: Fixtures.quietLogger("bench.http"))
        let stalling = try Fixtures.stallingServer()
        let instant = try Fixtures.instantServer()
        defer { stalling.stop(); instant.stop() }

        let backup = Fixtures.adapter("backup", server: instant, transport: transport)
        let primary = Fixtures.adapter("primary", server: stalling, transport: transport)
        let logger = Fixtures.quietLogger("bench.router")
        // Hedge every request (share 1.0) so each iteration measures the hedge path.
        let hedged = FallbackRouter<LLMCapability>(name: "hedged", members: [
            ChainMember(name: "primary", service: primary, policy: Fixtures.remotePolicy(priority: 0)),
            ChainMember(name: "backup", service: backup, policy: Fixtures.remotePolicy(priority: 1)),
            Fixtures.local(),
        ], hedge: HedgePolicy(minimumDelay: hedgeDelay, maximumShare: 1.0), logger: logger)
        let deadlined = FallbackRouter<LLMCapability>(name: "deadline", members: [
            ChainMember(name: "primary", service: primary,
                        policy: Fixtures.remotePolicy(priority: 0, firstTokenDeadline: firstTokenDeadline)),
            ChainMember(name: "backup", service: backup, policy: Fixtures.remotePolicy(priority: 1)),
            Fixtures.local(),
        ], logger: logger)

        let iterations = options.iterations(100)
        progress("\(name): \(iterations) iterations (~\(iterations * 7 / 10) s)")
        let samples = try await measure(iterations: iterations, warmup: options.warmup(5)) {
            let directStart = ContinuousClock.now
            let direct = try await timeDirect(backup.stream(Fixtures.request), start: directStart)
            let hedgedStart = ContinuousClock.now
            let hedgedTiming = try await timeRouted(hedged.stream(Fixtures.request), start: hedgedStart)
            let deadlineStart = ContinuousClock.now
            let deadlineTiming = try await timeRouted(deadlined.stream(Fixtures.request), start: deadlineStart)
            guard hedgedTiming.servedBy == "backup", deadlineTiming.servedBy == "backup",
                  let directTTFT = direct.ttft, let hedgedTTFT = hedgedTiming.ttft, let deadlineTTFT = deadlineTiming.ttft
            else { throw BenchFailure("stalled-primary iteration not served by the backup: \(hedgedTiming) \(deadlineTiming)") }
            return [directTTFT, hedgedTTFT, deadlineTTFT]
        }
        let (baseline, hedgedTTFT, deadlineTTFT) = (samples[0], samples[1], samples[2])
        let rows = [
            ResultRow(benchmark: name, scenario: "Baseline: backup adapter alone, direct (TTFT)", samples: baseline),
            ResultRow(benchmark: name, scenario: "**Hedging on**, delay \(hedgeDelay.formattedMS) (TTFT)", samples: hedgedTTFT,
                      baseline: baseline,
                      target: "≈ delay + baseline = \(Report.format(hedgeDelay.benchSeconds + baseline.median))"),
            ResultRow(benchmark: name, scenario: "No hedging, first-token deadline \(firstTokenDeadline.formattedMS) (TTFT)",
                      samples: deadlineTTFT, baseline: baseline,
                      target: "≈ deadline + baseline = \(Report.format(firstTokenDeadline.benchSeconds + baseline.median))"),
        ]
        // TTFT beyond the configured wait, to set against the baseline: what the router adds on top.
        let derived = [(hedgedTTFT, hedgeDelay, "Hedging on: TTFT − hedge delay"),
                       (deadlineTTFT, firstTokenDeadline, "Deadline: TTFT − first-token deadline")].map { samples, wait, label in
            let w = wait.benchSeconds
            return DerivedRow(benchmark: name, scenario: label, count: samples.count, median: samples.median - w,
                              p90: samples.p90 - w, p99: samples.p99 - w,
                              ratio: "\(Report.ratio((samples.median - w) / baseline.median)) / \(Report.ratio((samples.p99 - w) / baseline.p99))",
                              target: "")
        }
        return (rows, derived)
    }
}

extension Duration {
    var formattedMS: String { "\(Int((benchSeconds * 1000).rounded())) ms" }
}
