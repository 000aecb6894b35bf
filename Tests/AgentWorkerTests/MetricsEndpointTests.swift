import Agents
import AgentWorker
import Foundation
import Logging
import Metrics
import Prometheus
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport
import Voice

/// `GET /metrics` after a scripted conversation: the real LLM chain (OpenAI-compatible adapters over
/// libcurl) with a local provider answering 429 and a second one answering, a voice session on it,
/// and the worker process registered with the scripted LiveKit `/agent` endpoint (official
/// `livekit-protocol` frames) that assigns it a job and then makes it reconnect. The metrics go to a
/// registry of the test's own (a task-local factory), so nothing else in the process counts into it.
@Suite("GET /metrics", .serialized, .timeLimit(.minutes(2)))
struct MetricsEndpointTests {
    struct Agent: VoiceAgent {
        var name = "metrics"
        var instructions = "Answer briefly."
        var tools: [any Tool] = []
        var greeting: String?
    }

    @Test func aScrapeShowsTheFamiliesAndTheFallbackAfterA429() async throws {
        let limited = try ScriptedHTTPServer(responses: [
            .json(status: 429, #"{"error":{"message":"Rate limit reached","type":"rate_limit_exceeded"}}"#,
                  headers: [("retry-after", "30")]),
        ])
        let answering = try ScriptedHTTPServer(responses: [
            ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(["Paris", " is the capital."]))),
        ])
        let (server, port) = try ScriptedAgentServer.start(apiKey: WorkerProcessTests.apiKey,
                                                           apiSecret: WorkerProcessTests.apiSecret, lifetime: 100)
        defer {
            limited.stop()
            answering.stop()
            if server.isRunning { server.terminate() }
        }
        let registry = PrometheusCollectorRegistry()
        let scrape = try await withMetricsFactory(PrometheusExport.factory(for: registry)) {
            try await Self.converseAndScrape(registry: registry, limited: limited, answering: answering, livekitPort: port)
        }
        let metrics = try PrometheusText(scrape)

        // Every family the issue lists is there.
        for family in ["steadfast_provider_requests_total", "steadfast_provider_failures_total",
                       "steadfast_provider_fallbacks_total", "steadfast_provider_hedges_total",
                       "steadfast_provider_first_output_seconds_bucket", "steadfast_provider_state",
                       "steadfast_provider_circuit_state", "steadfast_provider_quota_cooldowns_total",
                       "steadfast_provider_tokens_total", "steadfast_provider_cost_usd_total",
                       "steadfast_worker_registered", "steadfast_worker_active_jobs", "steadfast_worker_load",
                       "steadfast_worker_jobs_total", "steadfast_worker_reconnects_total",
                       "steadfast_session_turns_total", "steadfast_session_barge_ins_total",
                       "steadfast_session_turn_end_to_first_audio_seconds_bucket"] {
            #expect(metrics.has(family), "no \(family) in:\n\(scrape)")
        }
        // The 429 is a rate_limited failure of groq, the turn fell back to openai, which served both turns.
        #expect(metrics.value("steadfast_provider_failures_total", ["capability": "llm", "provider": "groq",
                                                                    "class": "rate_limited"]) == 1)
        #expect(metrics.value("steadfast_provider_fallbacks_total", ["capability": "llm", "from": "groq", "to": "openai"]) == 1)
        #expect(metrics.value("steadfast_provider_requests_total", ["capability": "llm", "provider": "openai"]) == 2)
        #expect(metrics.value("steadfast_provider_requests_total", ["capability": "llm", "provider": "groq"]) == 1,
                "benched for its Retry-After, groq is not asked in the second turn")
        #expect(metrics.value("steadfast_provider_state", ["capability": "llm", "provider": "groq", "state": "rate_limited"]) == 1)
        #expect(metrics.value("steadfast_provider_state", ["capability": "llm", "provider": "groq", "state": "available"]) == 0)
        #expect((metrics.value("steadfast_provider_first_output_seconds_count", ["capability": "llm", "provider": "openai"]) ?? 0) == 2)
        #expect((metrics.value("steadfast_provider_tokens_total", ["capability": "llm", "provider": "openai"]) ?? 0) > 0)
        #expect(metrics.value("steadfast_session_turns_total", [:]) == 2)
        // The worker: registered again after the server closed it, one job run to success.
        #expect(metrics.value("steadfast_worker_registered", [:]) == 1)
        #expect(metrics.value("steadfast_worker_jobs_total", ["outcome": "success"]) == 1)
        #expect(metrics.value("steadfast_worker_reconnects_total", [:]) == 1)
        // Bounded labels: nothing from the conversation or the job becomes a label value.
        for leaked in ["Paris", "capital", "AJ_py", "demo", "room-token"] {
            #expect(!scrape.contains(leaked), "\(leaked) leaked into the metrics")
        }
    }

    /// Runs two text turns through the chain, then the worker until the scripted server's job has run
    /// and the worker has registered a second time, and returns `/metrics` as served over HTTP.
    static func converseAndScrape(registry: PrometheusCollectorRegistry, limited: ScriptedHTTPServer,
                                  answering: ScriptedHTTPServer, livekitPort: Int) async throws -> String {
        let config = try ConfigurationLoader(environment: [
            "GROQ_API_KEY": "gsk-metrics-test", "GROQ_BASE_URL": limited.baseURL.absoluteString + "/openai/v1",
            "OPENAI_API_KEY": "sk-metrics-test", "OPENAI_BASE_URL": answering.baseURL.absoluteString + "/v1",
            "LLM_PROVIDER": "groq",
        ], envFile: nil).load()
        let settings = try RoutingSettings.parse("""
            llm:
              providers:
                groq: { first_token_deadline_ms: 30000, max_retries: 0 }
                openai: { first_token_deadline_ms: 30000, max_retries: 0 }
            """)
        let router = try LLMChainBuilder(configuration: config, settings: settings, transport: try CurlHTTPClient())
            .build(.standard)
        let session = try AgentSession(agent: Agent(), llm: FallbackLLM(router: router), logger: WorkerProcessTests.quiet)
        #expect(await session.respond(to: "What is the capital of France?").contains("Paris"))
        #expect(await session.respond(to: "Say it again.").contains("Paris"))
        await session.close()

        let (jobs, jobSink) = AsyncStream<Void>.makeStream()
        let service = try AgentWorkerService(url: URL(string: "ws://127.0.0.1:\(livekitPort)")!, apiKey: WorkerProcessTests.apiKey,
                                             apiSecret: Secret(WorkerProcessTests.apiSecret), agentName: "assistant",
                                             logger: WorkerProcessTests.quiet) { _, _ in jobSink.yield() }
        let process = try await WorkerProcess(
            service: service, options: .init(httpPort: 0, drainTimeout: .seconds(30), handlesSignals: false, metrics: registry),
            logger: WorkerProcessTests.quiet)
        let httpPort = try #require(process.httpPort)
        let running = Task { await process.run() }
        var jobsRun = jobs.makeAsyncIterator()
        _ = await jobsRun.next()
        // The scripted server closes the socket after the job's SUCCESS and waits for a second registration.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let now = try PrometheusText(try await WorkerHTTPServerTests.get("/metrics", port: httpPort).body)
            if now.value("steadfast_worker_reconnects_total", [:]) == 1, now.value("steadfast_worker_registered", [:]) == 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let response = try await WorkerHTTPServerTests.get("/metrics", port: httpPort)
        #expect(response.status == 200)
        #expect(response.type?.hasPrefix("text/plain; version=0.0.4") == true)
        await process.shutDownGracefully()
        _ = await running.value
        return response.body
    }
}

/// A Prometheus text exposition, parsed enough to read one sample (`name{labels} value`).
struct PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var samples: [Sample] = []

    init(_ text: String) throws {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw ParseFailure(line: String(line))
            }
            let series = line[..<space]
            var labels: [String: String] = [:]
            var name = String(series)
            if let open = series.firstIndex(of: "{"), series.hasSuffix("}") {
                name = String(series[..<open])
                let inner = series[series.index(after: open)..<series.index(before: series.endIndex)]
                for pair in inner.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2 else { throw ParseFailure(line: String(line)) }
                    labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
                }
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
    }

    struct ParseFailure: Error, CustomStringConvertible {
        var line: String
        var description: String { "not a Prometheus sample line: \(line)" }
    }

    func has(_ name: String) -> Bool { samples.contains { $0.name == name } }

    /// The value of the sample named `name` whose labels include `labels` (exactly these, for `[:]`).
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        samples.first { sample in
            sample.name == name && (labels.isEmpty ? sample.labels.isEmpty
                                    : labels.allSatisfy { sample.labels[$0.key] == $0.value })
        }?.value
    }
}
