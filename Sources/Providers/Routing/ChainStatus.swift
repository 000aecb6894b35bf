import Foundation

/// One chain's state as JSON: which provider is serving, and for each provider its availability,
/// usage against limits, latency and spend. The shape follows the seeds' `/api/llm-providers`.
public struct ChainStatus: Codable, Sendable, Equatable {
    public var chain: String
    public var kind: String
    public var currentProvider: String?
    public var requests: Int
    public var switches: Int
    public var hedges: Int
    public var cacheHits: Int
    public var providers: [ProviderStatus]

    enum CodingKeys: String, CodingKey {
        case chain, kind, requests, switches, hedges, providers
        case currentProvider = "current_provider", cacheHits = "cache_hits"
    }
}

public struct ProviderStatus: Codable, Sendable, Equatable {
    public var name: String
    public var state: ProviderState
    public var priority: Int
    public var isCurrent: Bool
    public var isLastResort: Bool
    public var currentModel: String?
    public var requestsThisMinute: Int
    public var requestsToday: Int
    public var tokensToday: Int
    public var costTodayUSD: Double
    public var limits: UsageLimits
    public var consecutiveFailures: Int
    /// Redacted: never contains a key or token.
    public var lastError: String?
    /// When a benched provider is expected back (ISO 8601), and in how many seconds.
    public var cooldownUntil: String?
    public var cooldownSeconds: Int?
    public var ttftP50Ms: Int?
    public var ttftP95Ms: Int?

    enum CodingKeys: String, CodingKey {
        case name, state, priority, limits
        case isCurrent = "is_current", isLastResort = "is_last_resort", currentModel = "current_model"
        case requestsThisMinute = "requests_this_minute", requestsToday = "requests_today"
        case tokensToday = "tokens_today", costTodayUSD = "cost_today_usd"
        case consecutiveFailures = "consecutive_failures", lastError = "last_error"
        case cooldownUntil = "cooldown_until", cooldownSeconds = "cooldown_seconds"
        case ttftP50Ms = "ttft_p50_ms", ttftP95Ms = "ttft_p95_ms"
    }
}

extension FallbackRouter {
    /// A snapshot of the whole chain.
    public func status() async -> ChainStatus {
        tick()
        let now = wallClockNow()
        var providers: [ProviderStatus] = []
        for name in order {
            guard let health = health(name) else { continue }
            let until = health.availableAgainAt(now: now)
            var model = health.currentModel
            if model == nil, let service = service(named: name) { model = await Capability.model(of: service) }
            providers.append(ProviderStatus(
                name: name, state: health.state(now: now), priority: health.policy.priority,
                isCurrent: currentProvider == name, isLastResort: health.policy.isLastResort, currentModel: model,
                requestsThisMinute: health.usage.requestsThisMinute, requestsToday: health.usage.requestsToday,
                tokensToday: health.usage.tokensToday, costTodayUSD: health.usage.costTodayUSD,
                limits: health.policy.limits, consecutiveFailures: health.breaker.consecutiveFailures,
                lastError: health.lastError.map(SecretScrubber.scrub),
                cooldownUntil: until?.ISO8601Format(), cooldownSeconds: until.map { Int($0.timeIntervalSince(now).rounded(.up)) },
                ttftP50Ms: health.ttft.percentile(0.5).map { Int($0.seconds * 1000) },
                ttftP95Ms: health.ttft.percentile(0.95).map { Int($0.seconds * 1000) }))
        }
        return ChainStatus(chain: chainName, kind: Capability.kind, currentProvider: currentProvider,
                           requests: stats.requests, switches: stats.switches, hedges: stats.hedges,
                           cacheHits: stats.cacheHits, providers: providers)
    }

    /// Names of remote providers that cannot take requests now (for the canned reply's "what's wrong").
    public func unavailableProviders() -> [String] {
        let now = wallClockNow()
        return order.filter { name in
            guard let health = health(name), !health.policy.isLastResort else { return false }
            return health.state(now: now) != .available
        }
    }
}
