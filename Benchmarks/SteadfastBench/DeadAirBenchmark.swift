import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Transport

/// 11. Dead air under a stalled primary (issue 10): the default and bulletproof chains as
/// `steadfast ask` builds them (OpenRouter first, OpenAI as the backup), OpenRouter keeping its
/// stream open with `: OPENROUTER PROCESSING` keep-alives and no tokens. Dead air is the time to the
/// caller's first answer byte, on a fresh router per iteration (one `steadfast ask`). Baseline: the
/// backup's own TTFT, its adapter called directly. Targets: ≤ 2.5 s default, ≤ 1.2 s bulletproof.
enum DeadAirBenchmark {
    static let name = "11. Dead air, stalled primary"

    static func run(_ options: BenchOptions) async throws -> (rows: [ResultRow], derived: [DerivedRow]) {
        let openRouter = try ScriptedHTTPServer { _ in keepAliveOnly() }
        let openAI = try ScriptedHTTPServer { _ in
            ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(Fixtures.answerPieces), chunkSize: 1 << 16))
        }
        defer { openRouter.stop(); openAI.stop() }
        let transport = try CurlHTTPClient(logger: Fixtures.quietLogger("bench.http"))
        let config = try ConfigurationLoader(environment: [
            "OPENROUTER_API_KEY": "sk-or-v1-bench", "OPENROUTER_BASE_URL": "http://127.0.0.1:\(openRouter.port)/api/v1",
            "OPENROUTER_FALLBACK_MODELS": "google/gemini-3.5-flash-lite,anthropic/claude-haiku-5-5",
            "OPENAI_API_KEY": "sk-bench", "OPENAI_BASE_URL": "http://127.0.0.1:\(openAI.port)/v1",
        ], envFile: nil).load()
        let builder = LLMChainBuilder(configuration: config, transport: transport, logger: Fixtures.quietLogger("bench.router"))
        let backup = OpenAICompatibleLLM(preset: .openAI, model: "gpt-6-luna", apiKey: Secret("sk-bench"),
                                         baseURL: URL(string: "http://127.0.0.1:\(openAI.port)/v1"), transport: transport,
                                         logger: Fixtures.quietLogger("bench.openai"))

        let iterations = options.iterations(40)
        progress("\(name): \(iterations) iterations (~\(iterations * 5 / 2) s)")
        let samples = try await measure(iterations: iterations, warmup: options.warmup(2)) {
            let directStart = ContinuousClock.now
            let direct = try await timeDirect(backup.stream(Fixtures.request), start: directStart)
            var deadAir: [Duration] = []
            for kind in [LLMChainKind.standard, .bulletproof] {
                let router = try builder.build(kind)
                let start = ContinuousClock.now
                let timing = try await timeRouted(router.stream(Fixtures.request), start: start)
                guard timing.servedBy == "openai", let ttft = timing.ttft else {
                    throw BenchFailure("\(kind) chain not served by the backup: \(timing)")
                }
                deadAir.append(ttft)
            }
            guard let directTTFT = direct.ttft else { throw BenchFailure("the backup gave no answer directly") }
            return [directTTFT] + deadAir
        }
        let (baseline, standard, bulletproof) = (samples[0], samples[1], samples[2])
        let rows = [
            ResultRow(benchmark: name, scenario: "Baseline: backup (OpenAI adapter) alone, direct (TTFT)", samples: baseline),
            ResultRow(benchmark: name, scenario: "**default** chain: dead air (first answer byte)", samples: standard,
                      baseline: baseline, target: "≤ 2.5 s (was 8.3 s)", limit: .milliseconds(2500)),
            ResultRow(benchmark: name, scenario: "**bulletproof** chain: dead air (first answer byte)", samples: bulletproof,
                      baseline: baseline, target: "≤ 1.2 s", limit: .milliseconds(1200)),
        ]
        return (rows, [])
    }

    /// OpenRouter's overloaded-upstream reply: 200, an event-stream head, keep-alive comments, no tokens.
    static func keepAliveOnly() -> ScriptedResponse {
        var actions: [ScriptedAction] = [.head(status: 200, headers: [("Content-Type", "text/event-stream")])]
        for _ in 0..<100 { actions += [.text(": OPENROUTER PROCESSING\n\n"), .pause(.milliseconds(100))] }
        return ScriptedResponse(actions + [.stall])
    }
}
