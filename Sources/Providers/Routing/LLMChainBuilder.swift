import Foundation
import Logging
import SteadfastConfig
import Synchronization
import Transport

/// Which LLM chain to build.
public enum LLMChainKind: Sendable, Equatable, CustomStringConvertible {
    /// Every configured provider in priority order, then the local last resort.
    case standard
    /// Like `standard`, with hedging on: for demos and calls that must not wait.
    case bulletproof
    /// The OpenRouter rotation client alone, backed by the local last resort.
    case openrouter
    /// One provider, backed by the local last resort.
    case single(ProviderID)
    /// Only the local last resort (no keys, no network).
    case local

    /// Parses `default`, `bulletproof`, `openrouter`, `local` or a provider name.
    public init?(name: String) {
        switch name.lowercased() {
        case "default", "standard": self = .standard
        case "bulletproof": self = .bulletproof
        case "local", "offline": self = .local
        case "openrouter": self = .openrouter
        default:
            guard let provider = ProviderID(name: name), ProviderID.llmProviders.contains(provider) else { return nil }
            self = .single(provider)
        }
    }

    public var description: String {
        switch self {
        case .standard: "default"
        case .bulletproof: "bulletproof"
        case .openrouter: "openrouter"
        case .local: "local"
        case .single(let provider): provider.rawValue
        }
    }
}

/// Turns configuration (which keys are set) and `steadfast.yaml` into a ready `FallbackRouter`.
///
/// Default order follows the seeds: OpenRouter → OpenAI → Gemini → Groq → Anthropic → Together →
/// Cloudflare → local. `LLM_PROVIDER` moves one provider to the front; `llm.order` in the settings
/// replaces the order entirely.
public struct LLMChainBuilder: Sendable {
    public static let defaultOrder: [ProviderID] = [.openrouter, .openai, .gemini, .groq, .anthropic, .together, .cloudflare]

    public let configuration: SteadfastConfiguration
    public let settings: RoutingSettings
    public let transport: any HTTPTransport
    private let logger: Logger
    private let wallClock: @Sendable () -> Date

    public init(configuration: SteadfastConfiguration, settings: RoutingSettings = RoutingSettings(),
                transport: any HTTPTransport, logger: Logger = Logger(label: "steadfast.router"),
                wallClock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.settings = settings
        self.transport = transport
        self.logger = logger
        self.wallClock = wallClock
    }

    /// Remote providers the chain will use, in order (without the local tail).
    public func providers(for kind: LLMChainKind) throws(ConfigError) -> [ProviderID] {
        switch kind {
        case .local:
            return []
        case .openrouter:
            try requireKey(.openrouter, chain: kind)
            return [.openrouter]
        case .single(let provider):
            try requireKey(provider, chain: kind)
            return [provider]
        case .standard, .bulletproof:
            var order = settings.llm.order?.compactMap(ProviderID.init(name:)) ?? Self.defaultOrder
            if settings.llm.order == nil, let preferred = configuration.llmProvider {
                order.removeAll { $0 == preferred }
                order.insert(preferred, at: 0)
            }
            return order.filter { provider in
                configuration.provider(provider).apiKey != nil
                    && settings.llm.providers?[provider.rawValue]?.enabled != false
                    && (provider != .cloudflare || configuration.cloudflareAccountID != nil
                        || configuration.provider(.cloudflare).baseURL != nil)
            }
        }
    }

    public func build(_ kind: LLMChainKind) throws(ConfigError) -> FallbackRouter<LLMCapability> {
        let openRouterMode: OpenRouterRotationClient.Mode = settings.openrouter.mode == "server" ? .serverFallback : .clientRotation
        let ledger = RateLimitLedger()
        var members: [ChainMember<LLMCapability>] = []
        for (index, provider) in try providers(for: kind).enumerated() {
            let observed = RateLimitObservingTransport(transport, provider: provider.rawValue, ledger: ledger)
            let factory = LLMProviderFactory(configuration: configuration, transport: observed,
                                             openRouterMode: openRouterMode, logger: logger)
            let overrides = settings.llm.providers?[provider.rawValue]
            let llm: any LLM
            do { llm = try factory.makeLLM(provider, model: overrides?.model) } catch {
                throw ConfigError(.invalid, "cannot build the \(provider.rawValue) LLM: \(error.message)")
            }
            members.append(ChainMember(name: provider.rawValue, service: llm,
                                       policy: policy(for: provider, position: index)))
        }
        // The canned replies can name what is down, which only the router knows: it is wired in after,
        // weakly, because the router owns this member (a strong reference leaked every router built).
        let routerBox = Mutex(WeakRouter())
        let local = CannedReplyLLM(downServices: {
            guard let router = routerBox.withLock({ $0.router }) else { return [] }
            return await router.unavailableProviders()
        })
        members.append(ChainMember(name: "local", service: local, policy: .lastResort))

        var hedge: HedgePolicy?
        let hedging = settings.llm.hedging
        if kind == .bulletproof || hedging?.enabled == true, hedging?.enabled != false {
            hedge = HedgePolicy(minimumDelay: .milliseconds(hedging?.minDelayMs ?? 400), maximumShare: hedging?.maxShare ?? 0.1)
        }
        var cache: ResponseCache<LLMEvent>?
        if let settings = settings.llm.cache, settings.enabled == true {
            cache = ResponseCache(timeToLive: .seconds((settings.ttlHours ?? 24) * 3600), capacity: settings.maxEntries ?? 500,
                                  directory: settings.directory.map { URL(fileURLWithPath: $0) })
        }
        let router = FallbackRouter<LLMCapability>(
            name: kind.description, members: members, hedge: hedge,
            turnBudget: .milliseconds(settings.llm.turnBudgetMs ?? 20_000), cache: cache, rateLimits: ledger, logger: logger,
            wallClock: wallClock)
        routerBox.withLock { $0.router = router }
        return router
    }

    private struct WeakRouter { weak var router: FallbackRouter<LLMCapability>? }

    /// Defaults tuned for a voice turn, overridden by `steadfast.yaml`.
    func policy(for provider: ProviderID, position: Int) -> ProviderPolicy {
        var policy = ProviderPolicy(priority: position)
        if provider == .openrouter {
            // Free models share one account-wide budget: 20 per minute and 50 (or 1000) per UTC day.
            let models = [configuration.openRouter.defaultModel].compactMap { $0 } + configuration.openRouter.fallbackModels
            if !models.isEmpty, models.allSatisfy({ $0.hasSuffix(":free") }) {
                policy.limits.requestsPerMinute = 20
                policy.limits.requestsPerDay = settings.openrouter.freeRequestsPerDay ?? 50
            }
            // Rotation happens inside the client; give it time to try a second model before the router moves on.
            policy.firstTokenDeadline = .seconds(4)
        }
        guard let o = settings.llm.providers?[provider.rawValue] else { return policy }
        if let priority = o.priority { policy.priority = priority }
        if let retries = o.maxRetries { policy.maxRetries = retries }
        if let ms = o.firstTokenDeadlineMs { policy.firstTokenDeadline = .milliseconds(ms) }
        if let ms = o.requestTimeoutMs { policy.requestTimeout = .milliseconds(ms) }
        if let ms = o.idleTimeoutMs { policy.idleTimeout = .milliseconds(ms) }
        if let seconds = o.cooldownSeconds { policy.breaker.cooldown = .seconds(seconds) }
        if let seconds = o.quotaCooldownSeconds { policy.quotaCooldown = .seconds(seconds) }
        if let threshold = o.failureThreshold { policy.breaker.consecutiveFailures = threshold }
        if let tokens = o.contextTokens { policy.contextTokens = tokens }
        if let price = o.pricePerMillionInput { policy.pricePerMillionInputTokens = price }
        if let price = o.pricePerMillionOutput { policy.pricePerMillionOutputTokens = price }
        if let limits = o.limits {
            if let v = limits.rpm { policy.limits.requestsPerMinute = v }
            if let v = limits.rpd { policy.limits.requestsPerDay = v }
            if let v = limits.tpm { policy.limits.tokensPerMinute = v }
            if let v = limits.tpd { policy.limits.tokensPerDay = v }
            if let v = limits.dailyBudgetUsd { policy.limits.dailyBudgetUSD = v }
            if let v = limits.dailyResetHourUtc { policy.limits.dailyResetHourUTC = v }
        }
        return policy
    }

    private func requireKey(_ provider: ProviderID, chain: LLMChainKind) throws(ConfigError) {
        guard configuration.provider(provider).apiKey == nil else { return }
        throw ConfigError(.missing, """
            \(provider.apiKeyVariables.joined(separator: " or ")) is not set, and the \(chain) chain needs it. \
            Export it or add it to .env (see .env.example).
            """)
    }
}
