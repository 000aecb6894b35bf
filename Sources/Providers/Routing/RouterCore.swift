import Foundation
import SansIO
import Transport

/// The fallback router's decisions, with no IO: which providers may take a request, how each
/// outcome changes their standing, and, per turn (`TurnState`, RouterCore+Turn.swift), whether to
/// retry, move on, hedge or ask a backup. The async `FallbackRouter` feeds it outcomes and `now`,
/// runs the attempts it chooses, and reads availability changes back through `pollOutput()`.
///
/// Tests drive it with a virtual clock: breaker cooldowns, quota cooldowns, daily resets and every
/// turn decision are functions of the `now` (and the turn's elapsed time) passed in. The instant is
/// `Date`, because daily quota resets are wall-clock facts.
public struct RouterCore: Sendable, ProtocolCore {
    public typealias Instant = Date

    public enum Input: Sendable {
        case succeeded(provider: String, ttft: Duration?, tokens: Int, costUSD: Double?)
        case failed(provider: String, error: ProviderError)
        /// The caller gave up (barge-in, lost hedge): not the provider's fault.
        case cancelled(provider: String)
        case rateLimitHeaders(provider: String, RateLimitInfo)
        case modelChanged(provider: String, model: String)
        /// Configuration changed: clears an auth disablement or an unavailable model.
        case enable(provider: String)
        /// The member's model is gone (found by the start-up catalogue check): skip it, say why.
        case markUnavailable(provider: String, reason: String)
        /// Time passed (`nextDeadline` was reached); lets cooldown expiries surface as availability changes.
        case timeout
    }

    public static var timeout: Input { .timeout }

    public enum Output: Sendable, Equatable {
        case availabilityChanged(provider: String, from: ProviderState, to: ProviderState, until: Date?)
    }

    public private(set) var providers: [String: ProviderHealth] = [:]
    /// Names in configured order: priority, then chain order.
    public let configuredOrder: [String]
    /// A provider the caller chose to try first (switchModel by voice); nil keeps the configured order.
    public private(set) var preferred: String?
    private var lastStates: [String: ProviderState] = [:]
    private var outputs: [Output] = []
    /// The latest `now` the core was given: `nextDeadline` is relative to it.
    private var lastNow: Date?
    /// Hedging, when the chain has it on; nil = never hedge.
    public let hedge: HedgePolicy?
    /// Hedges left (a token bucket refilled by `hedge.maximumShare` per turn, at most 2).
    public internal(set) var hedgeTokens = 1.0
    /// The turn's first-token deadline: a backup is asked no later than this after the turn starts,
    /// whatever the chosen provider is doing. The chain's shortest remote first-token deadline (2 s
    /// by default; OpenRouter's 4 s lets its rotation keep going, but not keep the caller waiting).
    public let firstTokenDeadline: Duration?

    /// - Parameter firstTokenDeadline: overrides the turn's first-token deadline (default: the
    ///   shortest first-token deadline among the remote members).
    public init(members: [(name: String, policy: ProviderPolicy)], hedge: HedgePolicy? = nil,
                firstTokenDeadline: Duration? = nil) {
        self.hedge = hedge
        self.firstTokenDeadline = firstTokenDeadline
            ?? members.filter { !$0.policy.isLastResort }.compactMap(\.policy.firstTokenDeadline).min()
        configuredOrder = members.enumerated()
            .sorted { ($0.element.policy.priority, $0.offset) < ($1.element.policy.priority, $1.offset) }
            .map(\.element.name)
        for member in members {
            providers[member.name] = ProviderHealth(name: member.name, policy: member.policy)
            lastStates[member.name] = .available
        }
    }

    public mutating func pollOutput() -> Output? { outputs.isEmpty ? nil : outputs.removeFirst() }

    /// Routing order: the preferred provider first (if any), then the configured order.
    public var order: [String] {
        guard let preferred, configuredOrder.contains(preferred) else { return configuredOrder }
        return [preferred] + configuredOrder.filter { $0 != preferred }
    }

    /// Puts `name` first from the next request on; nil restores the configured order. Unknown names are ignored.
    public mutating func prefer(_ name: String?) {
        guard let name else { preferred = nil; return }
        if providers[name] != nil { preferred = name }
    }

    /// The provider's standing with its counters rolled to `now` (stale windows read as empty).
    public func health(_ name: String, now: Date? = nil) -> ProviderHealth? {
        guard var health = providers[name] else { return nil }
        if let now { health.usage.roll(now: now) }
        return health
    }

    /// Eligible providers for a request, in routing order, plus why each other one was skipped.
    public func plan(now: Date, estimatedTokens: Int, excluding: Set<String> = [])
        -> (eligible: [String], skipped: [(provider: String, reason: String)])
    {
        var eligible: [String] = []
        var skipped: [(String, String)] = []
        for name in order where !excluding.contains(name) {
            guard var health = providers[name] else { continue }
            health.usage.roll(now: now)
            if let reason = health.skipReason(now: now, estimatedTokens: estimatedTokens) {
                skipped.append((name, reason))
            } else {
                eligible.append(name)
            }
        }
        return (eligible, skipped)
    }

    /// Claims a slot on `name` for one attempt: takes the half-open probe if that is what is left,
    /// and counts the request. False when the provider became ineligible since `plan`.
    public mutating func admit(_ name: String, now: Date, estimatedTokens: Int) -> Bool {
        lastNow = max(lastNow ?? now, now)
        guard var health = providers[name] else { return false }
        health.usage.roll(now: now)
        if health.skipReason(now: now, estimatedTokens: estimatedTokens) != nil { return false }
        if !health.policy.isLastResort, !health.breaker.admit(now: now) { return false }
        health.usage.recordRequest()
        providers[name] = health
        noteStateChanges(now: now)
        return true
    }

    public mutating func handle(_ input: Input, now: Date) {
        lastNow = max(lastNow ?? now, now)
        roll(now: now)
        switch input {
        case .succeeded(let name, let ttft, let tokens, let cost):
            update(name) { health in
                health.breaker.recordSuccess()
                if let ttft { health.ttft.record(ttft) }
                health.usage.recordUsage(tokens: tokens, costUSD: cost ?? Self.estimatedCost(health.policy, tokens: tokens))
                health.rateLimitedUntil = nil
            }
        case .failed(let name, let error):
            update(name) { health in health.absorb(error, now: now) }
        case .cancelled(let name):
            update(name) { $0.breaker.releaseProbe() }
        case .rateLimitHeaders(let name, let info):
            update(name) { health in health.absorb(info, now: now) }
        case .modelChanged(let name, let model):
            update(name) { $0.currentModel = model }
        case .enable(let name):
            update(name) { health in
                health.disabledReason = nil
                health.unavailableReason = nil
                health.breaker = CircuitBreaker(policy: health.policy.breaker)
            }
        case .markUnavailable(let name, let reason):
            update(name) { health in
                health.unavailableReason = reason
                health.lastError = reason
            }
        case .timeout:
            for name in configuredOrder { update(name) { $0.breaker.tick(now: now) } }
        }
        noteStateChanges(now: now)
    }

    /// The earliest instant at which some provider's availability changes by itself (after the
    /// latest `now` the core was given); feed `.timeout` then.
    public var nextDeadline: Date? {
        guard let now = lastNow else { return nil }
        return order.compactMap { providers[$0]?.availableAgainAt(now: now) }.filter { $0 > now }.min()
    }

    static func estimatedCost(_ policy: ProviderPolicy, tokens: Int) -> Double {
        // Without a split we price every token at the output rate: an upper bound is the safe side of a budget.
        guard let price = policy.pricePerMillionOutputTokens ?? policy.pricePerMillionInputTokens else { return 0 }
        return Double(tokens) * price / 1_000_000
    }

    private mutating func roll(now: Date) {
        for name in configuredOrder { update(name) { $0.usage.roll(now: now) } }
    }

    mutating func update(_ name: String, _ body: (inout ProviderHealth) -> Void) {
        guard var health = providers[name] else { return }
        body(&health)
        providers[name] = health
    }

    private mutating func noteStateChanges(now: Date) {
        for name in configuredOrder {
            guard let health = providers[name] else { continue }
            let state = health.state(now: now)
            if let previous = lastStates[name], previous != state {
                outputs.append(.availabilityChanged(provider: name, from: previous, to: state,
                                                    until: health.availableAgainAt(now: now)))
            }
            lastStates[name] = state
        }
    }
}

extension ProviderHealth {
    /// How one failure changes the provider's standing. Errors that are the request's fault
    /// (bad request, context length, content policy) or the caller's (cancelled) do not count.
    mutating func absorb(_ error: ProviderError, now: Date) {
        lastError = "\(error.kind.rawValue): \(error.message.prefix(200))"
        if let info = error.rateLimit { absorb(info, now: now) }
        switch error.kind {
        case .auth:
            disabledReason = "authentication failed (\(error.status.map(String.init) ?? "no status")); fix the key"
        case .quotaExhausted:
            let cooldown = max(policy.quotaCooldown.seconds, error.retryAfter?.seconds ?? 0)
            quotaExhaustedUntil = now.addingTimeInterval(cooldown)
        case .rateLimited:
            // Benched for exactly as long as the provider asked (5 s when it did not say). Not a
            // breaker failure: a healthy provider that is busy for a second must not sit out 5 minutes.
            rateLimitedUntil = now.addingTimeInterval(error.retryAfter?.seconds ?? 5)
            breaker.releaseProbe()
        case .server, .timeout, .network, .malformedResponse:
            breaker.recordFailure(now: now)
        case .badRequest, .contextLength, .contentPolicy:
            breaker.releaseProbe()
        case .modelUnavailable:
            // A configuration error for this model, not an outage: no breaker failure, skipped until fixed.
            unavailableReason = String(error.message.prefix(200))
            breaker.releaseProbe()
        case .cancelled:
            breaker.releaseProbe()
        }
    }

    /// Learns from rate-limit headers: an exhausted window benches the provider until it resets.
    mutating func absorb(_ info: RateLimitInfo, now: Date) {
        if info.remainingRequests == 0 {
            rateLimitedUntil = now.addingTimeInterval(info.resetRequests?.seconds ?? 60)
        }
        if info.remainingTokens == 0 {
            let until = now.addingTimeInterval(info.resetTokens?.seconds ?? 60)
            rateLimitedUntil = max(rateLimitedUntil ?? until, until)
        }
    }
}
