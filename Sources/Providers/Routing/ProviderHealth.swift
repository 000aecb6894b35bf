import Foundation
import Transport

/// Everything the router knows about one provider right now. Pure value; `now` comes from outside.
public struct ProviderHealth: Sendable {
    public let name: String
    public let policy: ProviderPolicy
    public internal(set) var breaker: CircuitBreaker
    public internal(set) var usage: UsageCounter
    public internal(set) var ttft = LatencyStats()
    /// Set by an auth failure; cleared only by `RouterCore.Input.enable` (configuration changed).
    public internal(set) var disabledReason: String?
    /// Set when the member's model is gone (a model-not-found answer, or the start-up catalogue check);
    /// cleared only by `RouterCore.Input.enable`.
    public internal(set) var unavailableReason: String?
    public internal(set) var rateLimitedUntil: Date?
    public internal(set) var quotaExhaustedUntil: Date?
    public internal(set) var lastError: String?
    /// For rotation clients: the model they will use next.
    public internal(set) var currentModel: String?

    init(name: String, policy: ProviderPolicy) {
        self.name = name
        self.policy = policy
        breaker = CircuitBreaker(policy: policy.breaker)
        usage = UsageCounter(limits: policy.limits)
    }

    /// The state shown in status and used for routing (the last resort is always available).
    public func state(now: Date) -> ProviderState {
        if policy.isLastResort { return .available }
        if disabledReason != nil { return .disabled }
        if unavailableReason != nil { return .unavailable }
        if let until = quotaExhaustedUntil, now < until { return .quotaExhausted }
        if let limit = usage.exceededLimit(estimatedTokens: 0), limit.isDaily { return .quotaExhausted }
        if let until = rateLimitedUntil, now < until { return .rateLimited }
        if usage.exceededLimit(estimatedTokens: 0) != nil { return .rateLimited }
        if !breaker.wouldAdmit(now: now) { return .coolingDown }
        return .available
    }

    /// When a benched provider is expected back, if it is benched for a known time.
    public func availableAgainAt(now: Date) -> Date? {
        switch state(now: now) {
        case .available, .disabled, .unavailable: return nil
        case .quotaExhausted:
            if let until = quotaExhaustedUntil, now < until { return until }
            return usage.nextDailyReset
        case .rateLimited:
            if let until = rateLimitedUntil, now < until { return until }
            return usage.minuteStart.addingTimeInterval(60)
        case .coolingDown:
            if case .open(let until) = breaker.state { return until }
            return nil
        }
    }

    /// Why this provider cannot take a request of `estimatedTokens` now; nil when it can.
    public func skipReason(now: Date, estimatedTokens: Int) -> String? {
        if policy.isLastResort { return nil }
        if let reason = disabledReason { return "disabled: \(reason)" }
        if let reason = unavailableReason { return "unavailable: \(reason)" }
        if let until = quotaExhaustedUntil, now < until { return "quota exhausted until \(until.ISO8601Format())" }
        if let until = rateLimitedUntil, now < until { return "rate limited until \(until.ISO8601Format())" }
        if let limit = usage.exceededLimit(estimatedTokens: estimatedTokens) {
            return "would exceed \(limit.rawValue) limit"
        }
        if !breaker.wouldAdmit(now: now) { return "circuit open" }
        return nil
    }
}

/// Provider availability as reported in status JSON.
public enum ProviderState: String, Sendable, Equatable, Codable {
    case available
    case coolingDown = "cooling_down"
    case rateLimited = "rate_limited"
    case quotaExhausted = "quota_exhausted"
    case disabled
    /// Its model does not exist any more (or never did): a configuration problem, not an outage.
    case unavailable
}
