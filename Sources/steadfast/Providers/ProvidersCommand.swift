import ArgumentParser
import Foundation
import LocalSpeech
import Logging
import Providers
import SteadfastConfig

/// `steadfast providers`: the configured chains and their providers' state.
struct ProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "Show the configured provider chains, LLM, STT and TTS (state, priority, model, limits).",
        subcommands: [ProvidersStatusCommand.self, ProvidersCheckCommand.self],
        defaultSubcommand: ProvidersStatusCommand.self)
}

struct ProvidersStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Print the status of every configured chain (the default subcommand).")

    @OptionGroup var configurationOptions: ConfigurationOptions
    @OptionGroup var routingOptions: RoutingOptions
    @Flag(help: "Print the status JSON.") var json = false

    func run() async throws {
        let config = try configurationOptions.load()
        let builder = try routingOptions.chainBuilder(config)
        var chains: [LLMChainKind] = [.standard]
        if config.provider(.openrouter).apiKey != nil { chains.append(.openrouter) }
        var statuses: [ChainStatus] = []
        for kind in chains {
            let router: FallbackRouter<LLMCapability>
            do { router = try builder.build(kind) } catch { throw CommandFailure(error.message) }
            statuses.append(await router.status())
        }
        // The speech chains, with the local engines that end them (loading PocketSphinx takes a second).
        let logger = Logger(label: "steadfast.providers")
        if let pocketsphinx = try? PocketSphinxSTT(logger: logger) {
            statuses.append(await STTChainBuilder(configuration: config, transport: builder.transport, logger: logger)
                .build(localTail: pocketsphinx).status())
        }
        if let espeak = try? EspeakTTS() {
            statuses.append(await TTSChainBuilder(configuration: config, transport: builder.transport, logger: logger)
                .build(localTail: espeak).status())
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            printFlushed(String(decoding: try encoder.encode(["chains": statuses]), as: UTF8.self))
            return
        }
        for status in statuses {
            printFlushed("\(status.kind) chain \"\(status.chain)\":")
            for provider in status.providers {
                var limits: [String] = []
                if let v = provider.limits.requestsPerMinute { limits.append("\(v)/min") }
                if let v = provider.limits.requestsPerDay { limits.append("\(v)/day") }
                if let v = provider.limits.tokensPerMinute { limits.append("\(v) tok/min") }
                if let v = provider.limits.dailyBudgetUSD { limits.append("$\(v)/day") }
                let cooldown = provider.cooldownSeconds.map { " back in \($0) s" } ?? ""
                printFlushed("  \(provider.name.padding(toLength: 13, withPad: " ", startingAt: 0)) "
                             + "\(provider.state.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0))"
                             + "\(provider.currentModel ?? "-")"
                             + (limits.isEmpty ? "" : "  limits \(limits.joined(separator: ", "))") + cooldown)
            }
            if status.providers.count == 1 {
                printFlushed("  (no \(status.kind) provider keys are set: the local last resort serves; see .env.example)")
            }
        }
    }
}

struct ProvidersCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Make a tiny real call to each configured provider and report OK, latency or the error.")

    @OptionGroup var configurationOptions: ConfigurationOptions
    @OptionGroup var routingOptions: RoutingOptions
    @Option(help: "Seconds to wait for each provider.") var timeout = 15

    func validate() throws { try OptionRange.check(timeout, in: 1...3_600, flag: "--timeout") }

    func run() async throws {
        let config = try configurationOptions.load()
        let builder = try routingOptions.chainBuilder(config)
        let providers: [ProviderID]
        do { providers = try builder.providers(for: .standard) } catch { throw CommandFailure(error.message) }
        guard !providers.isEmpty else {
            throw CommandFailure("no LLM provider keys are set; nothing to check (see .env.example)")
        }
        let factory = LLMProviderFactory(configuration: config, transport: builder.transport)
        var failures = 0
        for provider in providers {
            printFlushed("\(provider.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) … ", terminator: "")
            let start = ContinuousClock.now
            do {
                let llm = try factory.makeLLM(provider, model: builder.settings.llm.providers?[provider.rawValue]?.model)
                let request = LLMRequest(messages: [.user("Reply with the single word OK.")], maxTokens: 5,
                                         deadline: .now + .seconds(timeout))
                var text = ""
                for try await event in llm.stream(request) { if case .textDelta(let delta) = event { text += delta } }
                let elapsed = Int((ContinuousClock.now - start).seconds * 1000)
                printFlushed("OK      \(elapsed) ms  \(await llm.model)  \"\(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(20))\"")
            } catch {
                failures += 1
                let elapsed = Int((ContinuousClock.now - start).seconds * 1000)
                // The stream's `any Error` back to the typed error it promises (classified, scrubbed).
                let failure = ErrorClassifier(provider: provider.rawValue).classify(error)
                let message = "\(failure.kind.rawValue)\(failure.status.map { " (HTTP \($0))" } ?? ""): \(failure.message)"
                printFlushed("FAILED  \(elapsed) ms  \(SecretScrubber.scrub(String(message.prefix(160))))")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
