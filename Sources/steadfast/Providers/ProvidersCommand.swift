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
        let logger = Logger(label: "steadfast.providers")
        // Members whose model is gone show as unavailable (the catalogue check, from a day's cache).
        let check = ChainModelCheck(configuration: config, store: ModelCatalogueStore(transport: builder.transport, logger: logger),
                                    logger: logger)
        for kind in chains {
            let router: FallbackRouter<LLMCapability>
            do { router = try builder.build(kind) } catch { throw CommandFailure(error.message) }
            await check.run(router)
            statuses.append(await router.status())
        }
        // The speech chains, with the local engines that end them (loading PocketSphinx takes a second).
        if let pocketsphinx = try? PocketSphinxSTT(logger: logger) {
            let router = STTChainBuilder(configuration: config, transport: builder.transport, logger: logger)
                .build(localTail: pocketsphinx)
            await check.run(router, role: .stt)
            statuses.append(await router.status())
        }
        if let espeak = try? EspeakTTS() {
            let router = TTSChainBuilder(configuration: config, transport: builder.transport, logger: logger)
                .build(localTail: espeak)
            await check.run(router, role: .tts)
            statuses.append(await router.status())
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
                var cooldown = provider.cooldownSeconds.map { " back in \($0) s" } ?? ""
                if provider.state == .unavailable, let why = provider.lastError { cooldown += "  (\(why))" }
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
        abstract: "Look every configured model up in its provider's catalogue, then make a tiny real call to each LLM provider.",
        discussion: """
            Per member: the model, whether the provider lists it, its shutdown date, tool support and price \
            (from the list-models endpoint, cached for a day in .steadfast/catalogue), then OK with the latency \
            or the error of one real call. Exits 1 when a configured model is dead or a call fails.
            """)

    @OptionGroup var configurationOptions: ConfigurationOptions
    @OptionGroup var routingOptions: RoutingOptions
    @Option(help: "Seconds to wait for each provider.") var timeout = 15
    @Flag(help: "Only look the models up; make no model call.") var noCall = false

    func validate() throws { try OptionRange.check(timeout, in: 1...3_600, flag: "--timeout") }

    func run() async throws {
        let config = try configurationOptions.load()
        let builder = try routingOptions.chainBuilder(config)
        let providers: [ProviderID]
        do { providers = try builder.providers(for: .standard) } catch { throw CommandFailure(error.message) }
        guard !providers.isEmpty else {
            throw CommandFailure("no LLM provider keys are set; nothing to check (see .env.example)")
        }
        let logger = Logger(label: "steadfast.providers")
        let store = ModelCatalogueStore(transport: builder.transport, fetchTimeout: .seconds(timeout), logger: logger)
        let factory = LLMProviderFactory(configuration: config, transport: builder.transport)
        var failures = 0
        for provider in providers {
            let llm: any LLM
            do { llm = try factory.makeLLM(provider, model: builder.settings.llm.providers?[provider.rawValue]?.model) } catch {
                failures += 1
                printFlushed("\(pad(provider.rawValue, 11)) FAILED  \(error.message)")
                continue
            }
            var models = [await llm.model]
            if let rotation = llm.modelSwitching { models = await rotation.availableModels }
            let lookup: ModelCatalogueStore.Lookup? = if let source = CatalogueSource.forProvider(provider, configuration: config) {
                await store.catalogue(source)
            } else { nil }
            var dead = 0
            for model in models {
                let check = ModelCheck.evaluate(provider: provider.rawValue, model: model, role: .llm, catalogue: lookup?.catalogue,
                                                unavailableBecause: lookup?.error, now: Date())
                printFlushed(Self.row(check, origin: lookup?.origin))
                if check.isDead {
                    dead += 1
                    await llm.modelSwitching?.retireModel(model, reason: check.line ?? "")
                }
                if check.isDead || { if case .expiring = check.verdict { true } else { false } }(), let line = check.line {
                    printFlushed("            \(line)")
                }
            }
            failures += dead > 0 ? 1 : 0
            if noCall || dead == models.count { continue }
            failures += await call(llm, provider: provider) ? 0 : 1
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// "openai      gpt-6-luna  listed  shutdown -  tools ?  $0.10/$0.50 per M tokens  active"
    static func row(_ check: ModelCheck, origin: ModelCatalogueStore.Origin?) -> String {
        let listed = check.listed.map { $0 ? "listed" : "NOT LISTED" } ?? "unknown"
        let shutdown = check.entry?.shutdownDate.map { String($0.ISO8601Format().prefix(10)) } ?? "-"
        let tools = check.entry?.supportsTools.map { $0 ? "yes" : "no" } ?? "?"
        let price = check.entry?.priceText ?? "-"
        let verdict: String = switch check.verdict {
        case .ok: "active"
        case .expiring: "EXPIRING"
        case .dead: "DEAD"
        case .unchecked(let why): "not checked: \(why)"
        }
        let source = origin.map { $0 == .network || $0 == .none ? "" : " (\($0.rawValue))" } ?? ""
        return "\(pad(check.provider, 11)) \(pad(check.model, 28)) \(pad(listed, 10)) shutdown \(pad(shutdown, 10)) "
            + "tools \(pad(tools, 3)) \(pad(price, 26)) \(verdict)\(source)"
    }

    /// One tiny real call; prints OK with latency and model, or the classified error.
    private func call(_ llm: any LLM, provider: ProviderID) async -> Bool {
        printFlushed("\(pad(provider.rawValue, 11)) call … ", terminator: "")
        let start = ContinuousClock.now
        do {
            let request = LLMRequest(messages: [.user("Reply with the single word OK.")], maxTokens: 5,
                                     deadline: .now + .seconds(timeout))
            var text = ""
            for try await event in llm.stream(request) { if case .textDelta(let delta) = event { text += delta } }
            let elapsed = Int((ContinuousClock.now - start).seconds * 1000)
            printFlushed("OK      \(elapsed) ms  \(await llm.model)  \"\(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(20))\"")
            return true
        } catch {
            let elapsed = Int((ContinuousClock.now - start).seconds * 1000)
            // The stream's `any Error` back to the typed error it promises (classified, scrubbed).
            let failure = ErrorClassifier(provider: provider.rawValue).classify(error)
            let message = "\(failure.kind.rawValue)\(failure.status.map { " (HTTP \($0))" } ?? ""): \(failure.message)"
            printFlushed("FAILED  \(elapsed) ms  \(SecretScrubber.scrub(String(message.prefix(160))))")
            return false
        }
    }
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text.padding(toLength: width, withPad: " ", startingAt: 0)
}
