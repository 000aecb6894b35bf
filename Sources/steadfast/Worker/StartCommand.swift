import AgentWorker
import ArgumentParser
import Foundation
import LiveKit
import Logging
import Media
import Providers
import SteadfastConfig

/// Options shared by `start` and the `dev` modes.
struct WorkerRunOptions: ParsableArguments {
    @OptionGroup var configurationOptions: ConfigurationOptions
    @OptionGroup var routingOptions: RoutingOptions
    @Option(help: "The agent to run (a name from agents/*.yaml or registered in Swift).") var agent = "assistant"
    @Option(help: "Directory of declarative agent files.") var agentsDirectory = "agents"
    @Option(help: "Register for explicit dispatch under this agent_name; empty: automatic dispatch to every new room.")
    var agentName = ""
    @Option(help: "Local address for WebRTC host candidates (repeatable); default: every interface.")
    var rtcHost: [String] = []
    @Option(help: "Address of the health/status HTTP server (0.0.0.0 for a pod's probes).") var httpHost = "127.0.0.1"
    // `.unconditional`: `-1` is a value here, not a flag.
    @Option(parsing: .unconditional,
            help: "Port of the health/status HTTP server (GET /health, /worker, /status); 0 picks one, -1 turns it off.")
    var httpPort = 8081
    @Option(help: "Seconds a drain (after SIGTERM/SIGINT) may take before the running jobs are cancelled.")
    var drainTimeout = 1_800
    @OptionGroup var devServer: DevServerOptions

    func validate() throws {
        try OptionRange.check(httpPort, in: -1...65_535, flag: "--http-port", meaning: "0 picks a free port, -1 turns the server off")
        try OptionRange.check(drainTimeout, in: 1...86_400, flag: "--drain-timeout")
    }
}

extension WorkerRunOptions {
    /// Runs the worker process (`WorkerProcess`) until SIGTERM/SIGINT (then drains: no new jobs,
    /// running jobs finish; a second signal exits at once). Shared by `start` and the `dev` modes; `chain` overrides the agent's LLM chain.
    func runWorker(command: String, chain: LLMChainKind?, jsonLogs: Bool = false) async throws {
        let options = self
        let config = try configurationOptions.load(jsonLogs: jsonLogs)
        // Before any chain or session exists: they create their metrics in the registry `/metrics` renders.
        let metrics = PrometheusExport.processRegistry
        let url: URL
        let credentials: (apiKey: String, apiSecret: Secret)
        // `dev` with no LIVEKIT_URL runs the embedded LiveKit server in-process and the worker against it.
        let embedded = config.livekit.url == nil && command.hasPrefix("steadfast dev")
            ? try await EmbeddedDevServer.start(options: devServer, variables: (try? configurationOptions.variables()) ?? [:])
            : nil
        defer { embedded?.stop() }
        if let embedded {
            url = embedded.url
            credentials = (embedded.apiKey, embedded.apiSecret)
        } else {
            guard let configured = config.livekit.url else {
                throw CommandFailure("LIVEKIT_URL is not set, and `\(command)` needs it (`steadfast dev` runs an embedded "
                                     + "server when it is unset).")
            }
            url = configured
            do { credentials = try config.requireLiveKitCredentials(for: command) } catch { throw CommandFailure(error.message) }
        }
        let logger = Logger(label: "steadfast.worker")
        let wiring = try AgentWiring(configuration: config, chains: try routingOptions.chainBuilder(config),
                                     variables: (try? configurationOptions.variables()) ?? [:],
                                     directory: options.agentsDirectory, logger: logger)
        let probe = try wiring.agent(named: options.agent)
        let llm = try wiring.llm(for: probe, override: chain)
        let stt = try wiring.sttChain()
        let tts = try wiring.ttsChain()
        await wiring.checkModels(llm: llm, stt: stt, tts: tts)
        await StartupBanner.show(agent: options.agent, llm: llm, stt: stt, tts: tts, logger: jsonLogs ? logger : nil)
        let hosts = options.rtcHost.isEmpty ? NetworkInterfaces.ipv4Addresses() : options.rtcHost
        let agentType = options.agent
        let service: AgentWorkerService
        do {
            service = try AgentWorkerService(
                url: url, apiKey: credentials.apiKey, apiSecret: credentials.apiSecret, agentName: options.agentName,
                hosts: hosts, logger: logger
            ) { _ in
                // A fresh agent per job; the chains (and their health and limits) are shared by all jobs.
                guard let agent = wiring.registry.makeAgent(named: agentType) else {
                    throw CommandFailure("the agent \(agentType) disappeared from the registry")
                }
                return RoomAgentJob.Pipeline(agent: agent, llm: llm, stt: stt, tts: tts)
            }
        } catch { throw CommandFailure(error.message) }
        logger.info("Starting the worker", metadata: ["livekit.url": "\(url.absoluteString)", "agent": "\(agentType)",
                                                       "agent_name": "\(options.agentName)"])
        let process: WorkerProcess
        do {
            process = try await WorkerProcess(
                service: service,
                options: .init(httpHost: options.httpHost, httpPort: options.httpPort >= 0 ? options.httpPort : nil,
                               drainTimeout: .seconds(options.drainTimeout), sdkVersion: SteadfastVersion.current,
                               metrics: metrics, loadInterval: .milliseconds(2_500), plainNotices: !jsonLogs),
                logger: logger,
                status: {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    let chains = [await llm.router.status(), await stt.status(), await tts.status()]
                    return (try? encoder.encode(["chains": chains])) ?? Data()
                })
        } catch { throw CommandFailure("\(error)") }
        // A supervisor (systemd, Kubernetes) must see a worker that gave up, or a drain cut short, as a failure.
        switch await process.run() {
        case .drained, .cancelled: break
        case .gaveUp(let reason): throw CommandFailure("the worker gave up: \(reason)")
        case .drainTimedOut:
            throw CommandFailure("the drain did not finish within \(options.drainTimeout) s; the running jobs were cancelled")
        }
    }
}

/// `steadfast start`: production. Requires LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET.
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Run the agent worker against LIVEKIT_URL (LiveKit server or Cloud) until SIGTERM, then drain.")

    @OptionGroup var worker: WorkerRunOptions

    func run() async throws { try await worker.runWorker(command: "steadfast start", chain: nil, jsonLogs: true) }
}

/// `steadfast dev`: the worker for development, with a choice of LLM chain.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run the agent worker for development against LIVEKIT_URL, or an embedded server when it is unset.",
        discussion: "With LIVEKIT_URL unset it runs an embedded LiveKit server (ws://127.0.0.1:7880, key devkey) too.")

    @OptionGroup var worker: WorkerRunOptions
    @Option(help: "LLM chain: default, bulletproof, openrouter, local or a provider.") var chain: LLMChainKind?

    func run() async throws { try await worker.runWorker(command: "steadfast dev", chain: chain) }
}

/// `steadfast dev:bulletproof`: `dev` on the bulletproof chain.
struct DevBulletproofCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev:bulletproof", abstract: "`dev` with every configured provider and hedging (the bulletproof chain).")

    @OptionGroup var worker: WorkerRunOptions

    func run() async throws { try await worker.runWorker(command: "steadfast dev:bulletproof", chain: .bulletproof) }
}

/// `steadfast dev:openrouter`: `dev` with the OpenRouter rotation client.
struct DevOpenRouterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev:openrouter", abstract: "`dev` with the OpenRouter model-rotation client as the LLM.")

    @OptionGroup var worker: WorkerRunOptions

    func run() async throws { try await worker.runWorker(command: "steadfast dev:openrouter", chain: .openrouter) }
}
