import Foundation
import Providers
import TestSupport
import Transport

/// 1. Failover overhead on real loopback sockets: the primary (OpenAI-compatible adapter) gets an
/// immediate 503, the backup (same adapter, another server) streams at once. Target: < 20 ms from
/// the primary's failure being observed to the backup's first token reaching the caller.
///
/// Per iteration, interleaved so drift hits every scenario alike:
/// - baseline: the backup adapter called directly (TTFT on loopback, no router);
/// - the backup alone through a router (the router's share of TTFT);
/// - primary 503 → backup through a router: total TTFT, (first token − failure observed by a
///   stamping wrapper around the primary), and (first token − `.switched` event at the caller).
enum FailoverBenchmark {
    static let name = "1. Failover"

    static func run(_ options: BenchOptions) async throws -> (rows: [ResultRow], derived: [DerivedRow]) {
        let transport = try CurlHTTPClient(logger: Fixtures.quietLogger("bench.http"))
        let failing = try Fixtures.failingServer()
        let instant = try Fixtures.instantServer()
        defer { failing.stop(); instant.stop() }

        let backup = Fixtures.adapter("backup", server: instant, transport: transport)
        let primary = FailureStampingLLM(Fixtures.adapter("primary", server: failing, transport: transport))
        let logger = Fixtures.quietLogger("bench.router")
        let failover = FallbackRouter<LLMCapability>(name: "failover", members: [
            ChainMember(name: "primary", service: primary, policy: Fixtures.remotePolicy(priority: 0)),
            ChainMember(name: "backup", service: backup, policy: Fixtures.remotePolicy(priority: 1)),
            Fixtures.local(),
        ], logger: logger)
        let backupOnly = FallbackRouter<LLMCapability>(name: "backup-only", members: [
            ChainMember(name: "backup", service: backup, policy: Fixtures.remotePolicy(priority: 0)),
            Fixtures.local(),
        ], logger: logger)

        let iterations = options.iterations(500)
        progress("\(name): \(iterations) iterations")
        let samples = try await measure(iterations: iterations, warmup: options.warmup(50)) {
            let directStart = ContinuousClock.now
            let direct = try await timeDirect(backup.stream(Fixtures.request), start: directStart)

            let aloneStart = ContinuousClock.now
            let alone = try await timeRouted(backupOnly.stream(Fixtures.request), start: aloneStart)

            _ = primary.takeFailure()
            let start = ContinuousClock.now
            let routed = try await timeRouted(failover.stream(Fixtures.request), start: start)
            guard routed.servedBy == "backup", let first = routed.firstToken, let switched = routed.switched,
                  let failed = primary.takeFailure(), let directTTFT = direct.ttft, let aloneTTFT = alone.ttft,
                  let ttft = routed.ttft
            else { throw BenchFailure("failover iteration did not fail over to the backup: \(routed)") }
            return [directTTFT, aloneTTFT, ttft, first - failed, first - switched]
        }
        let baseline = samples[0]
        let rows = [
            ResultRow(benchmark: name, scenario: "Baseline: backup adapter alone, direct (TTFT)", samples: baseline),
            ResultRow(benchmark: name, scenario: "Backup alone via router (TTFT)", samples: samples[1], baseline: baseline),
            ResultRow(benchmark: name, scenario: "Primary 503 → backup via router (TTFT)", samples: samples[2],
                      baseline: baseline),
            ResultRow(benchmark: name, scenario: "**Failover overhead**: primary failure observed → first token",
                      samples: samples[3], baseline: baseline, target: "< 20 ms", limit: .milliseconds(20)),
            ResultRow(benchmark: name, scenario: "`.switched` event → first token", samples: samples[4],
                      baseline: baseline),
        ]
        return (rows, [])
    }
}
