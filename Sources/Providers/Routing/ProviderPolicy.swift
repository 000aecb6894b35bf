import Foundation

/// How the router treats one provider in a chain. Defaults suit a voice turn: fail fast, move on.
public struct ProviderPolicy: Sendable, Equatable {
    /// Lower runs first. Ties keep chain order.
    public var priority: Int
    /// Extra attempts on the same provider for retryable failures before output started.
    public var maxRetries: Int
    public var backoff: Backoff
    /// Whole-attempt limit.
    public var requestTimeout: Duration?
    /// A stream that opens but yields no output in this time is a failure (stall before first token).
    public var firstTokenDeadline: Duration?
    /// Longest silence between two events once output has started.
    public var idleTimeout: Duration?
    public var breaker: BreakerPolicy
    public var limits: UsageLimits
    /// How long a provider that reported an exhausted quota is left alone before it is tried again.
    public var quotaCooldown: Duration
    /// Largest prompt the provider accepts, in tokens; used to route context-length failures.
    public var contextTokens: Int?
    /// USD per million input/output tokens, for providers that do not report cost.
    public var pricePerMillionInputTokens: Double?
    public var pricePerMillionOutputTokens: Double?
    /// The chain's local tail: never skipped by breaker, limits or cooldowns.
    public var isLastResort: Bool

    public init(priority: Int = 0, maxRetries: Int = 1, backoff: Backoff = Backoff(),
                requestTimeout: Duration? = .seconds(30), firstTokenDeadline: Duration? = .seconds(2),
                idleTimeout: Duration? = .seconds(5), breaker: BreakerPolicy = BreakerPolicy(),
                limits: UsageLimits = UsageLimits(), quotaCooldown: Duration = .seconds(300),
                contextTokens: Int? = nil, pricePerMillionInputTokens: Double? = nil,
                pricePerMillionOutputTokens: Double? = nil, isLastResort: Bool = false) {
        self.priority = priority
        self.maxRetries = maxRetries
        self.backoff = backoff
        self.requestTimeout = requestTimeout
        self.firstTokenDeadline = firstTokenDeadline
        self.idleTimeout = idleTimeout
        self.breaker = breaker
        self.limits = limits
        self.quotaCooldown = quotaCooldown
        self.contextTokens = contextTokens
        self.pricePerMillionInputTokens = pricePerMillionInputTokens
        self.pricePerMillionOutputTokens = pricePerMillionOutputTokens
        self.isLastResort = isLastResort
    }

    /// The policy of a local last resort: instant, unlimited, never benched.
    public static let lastResort = ProviderPolicy(
        priority: .max, maxRetries: 0, requestTimeout: nil, firstTokenDeadline: nil, idleTimeout: nil,
        isLastResort: true)
}

/// Exponential backoff with jitter between retries on the same provider.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var multiplier: Double
    public var maximum: Duration
    /// Fraction of the delay added or removed at random (0.2 = ±20 %), so retries do not synchronize.
    public var jitter: Double

    public init(initial: Duration = .milliseconds(200), multiplier: Double = 2, maximum: Duration = .seconds(2),
                jitter: Double = 0.2) {
        self.initial = initial
        self.multiplier = multiplier
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Delay before retry number `attempt` (1-based), with `unit` in [0, 1) drawn by the caller.
    public func delay(attempt: Int, unit: Double) -> Duration {
        let base = initial.seconds * pow(multiplier, Double(max(0, attempt - 1)))
        let capped = min(base, maximum.seconds)
        let jittered = capped * (1 + jitter * (2 * unit - 1))
        return .milliseconds(Int64((max(0, jittered) * 1000).rounded()))
    }
}

/// When the circuit opens and how it recovers.
public struct BreakerPolicy: Sendable, Equatable {
    /// Open after this many failures in a row.
    public var consecutiveFailures: Int
    /// Or when this share of the last `window` calls failed (once `minimumCalls` were made).
    public var failureRate: Double
    public var window: Int
    public var minimumCalls: Int
    /// How long the circuit stays open before one half-open probe is allowed.
    public var cooldown: Duration

    public init(consecutiveFailures: Int = 3, failureRate: Double = 0.5, window: Int = 20, minimumCalls: Int = 10,
                cooldown: Duration = .seconds(300)) {
        self.consecutiveFailures = consecutiveFailures
        self.failureRate = failureRate
        self.window = window
        self.minimumCalls = minimumCalls
        self.cooldown = cooldown
    }
}

/// Per-provider request, token and spend limits. nil = unlimited.
public struct UsageLimits: Sendable, Equatable, Codable {
    public var requestsPerMinute: Int?
    public var requestsPerDay: Int?
    public var tokensPerMinute: Int?
    public var tokensPerDay: Int?
    public var dailyBudgetUSD: Double?
    /// Hour (UTC) at which daily counters reset; 0 = midnight UTC.
    public var dailyResetHourUTC: Int

    public init(requestsPerMinute: Int? = nil, requestsPerDay: Int? = nil, tokensPerMinute: Int? = nil,
                tokensPerDay: Int? = nil, dailyBudgetUSD: Double? = nil, dailyResetHourUTC: Int = 0) {
        self.requestsPerMinute = requestsPerMinute
        self.requestsPerDay = requestsPerDay
        self.tokensPerMinute = tokensPerMinute
        self.tokensPerDay = tokensPerDay
        self.dailyBudgetUSD = dailyBudgetUSD
        self.dailyResetHourUTC = dailyResetHourUTC
    }
}

extension Duration {
    /// Seconds as a Double (for arithmetic with dates and rates).
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
