import Foundation
import Metrics

/// One chain's Prometheus families (through swift-metrics; `steadfast start` bootstraps the
/// Prometheus backend, elsewhere they are no-ops). Labels are bounded: the capability (`llm`, `stt`,
/// `tts`), the configured provider names, the error class and the provider state; never a model
/// name, request text or id.
///
/// Created with the router, so the factory is the one in force then (the process's, or a test's
/// task-local one); per-provider series exist from the start, at zero.
struct RouterMetrics {
    private let capability: String
    private let factory: any MetricsFactory
    private var requests: [String: Counter] = [:]
    private var tokens: [String: Counter] = [:]
    private var cost: [String: FloatingPointCounter] = [:]
    private var firstOutput: [String: CoreMetrics.Timer] = [:]
    private var hedges: [String: Counter] = [:]
    private var hedgeWins: [String: Counter] = [:]
    private var quotaCooldowns: [String: Counter] = [:]
    private var circuit: [String: Gauge] = [:]
    /// Lazily made: (provider, class) and (from, to) pairs, and (provider, state).
    private var failures: [String: Counter] = [:]
    private var fallbacks: [String: Counter] = [:]
    private var states: [String: Gauge] = [:]
    private var currentState: [String: String] = [:]

    init(kind: String, providers: [String]) {
        capability = kind.lowercased()
        factory = MetricsSystem.factory
        for name in providers {
            let labels = [("capability", capability), ("provider", name)]
            requests[name] = Counter(label: "steadfast_provider_requests_total", dimensions: labels, factory: factory)
            tokens[name] = Counter(label: "steadfast_provider_tokens_total", dimensions: labels, factory: factory)
            cost[name] = FloatingPointCounter(label: "steadfast_provider_cost_usd_total", dimensions: labels, factory: factory)
            firstOutput[name] = CoreMetrics.Timer(label: "steadfast_provider_first_output_seconds", dimensions: labels, factory: factory)
            hedges[name] = Counter(label: "steadfast_provider_hedges_total", dimensions: labels, factory: factory)
            hedgeWins[name] = Counter(label: "steadfast_provider_hedge_wins_total", dimensions: labels, factory: factory)
            quotaCooldowns[name] = Counter(label: "steadfast_provider_quota_cooldowns_total", dimensions: labels, factory: factory)
            let gauge = Gauge(label: "steadfast_provider_circuit_state", dimensions: labels, factory: factory)
            gauge.record(0)
            circuit[name] = gauge
            setState(name, to: ProviderState.available.rawValue)
        }
    }

    /// How one racer of an attempt ended. `missedTurnDeadline`: it was cancelled because the backup
    /// asked at the turn's first-token deadline answered first (the router counts that a timeout).
    mutating func record(_ outcome: AttemptOutcome, missedTurnDeadline: Bool, estimatedCost: (String, Int) -> Double) {
        switch outcome {
        case .completed(let name, let ttft, let used, let costUSD):
            requests[name]?.increment()
            if let ttft { firstOutput[name]?.recordNanoseconds(Self.nanoseconds(ttft)) }
            if used > 0 { tokens[name]?.increment(by: used) }
            let spent = costUSD ?? estimatedCost(name, used)
            if spent > 0 { cost[name]?.increment(by: spent) }
        case .failed(let name, let error, let afterOutput):
            requests[name]?.increment()
            failure(name, class: Self.failureClass(error.kind, afterOutput: afterOutput))
        case .cancelled(let name):
            requests[name]?.increment()
            if missedTurnDeadline { failure(name, class: "timeout") }
        case .notStarted:
            break
        }
    }

    mutating func hedgeStarted(_ name: String) { hedges[name]?.increment() }

    mutating func hedgeWon(_ name: String) { hedgeWins[name]?.increment() }

    /// The router moved a turn from `from` to `to`.
    mutating func fallback(from: String, to: String) {
        let key = from + "\u{0}" + to
        if fallbacks[key] == nil {
            fallbacks[key] = Counter(label: "steadfast_provider_fallbacks_total",
                                     dimensions: [("capability", capability), ("from", from), ("to", to)], factory: factory)
        }
        fallbacks[key]?.increment()
    }

    /// A provider's availability changed (the router's `availabilityChanged` output).
    mutating func availabilityChanged(_ name: String, to state: ProviderState) {
        setState(name, to: state.rawValue)
        if state == .quotaExhausted { quotaCooldowns[name]?.increment() }
    }

    /// The breaker's state as a number: 0 closed, 1 half-open, 2 open.
    func circuit(_ name: String, _ state: CircuitBreaker.State) {
        switch state {
        case .closed: circuit[name]?.record(0)
        case .halfOpen: circuit[name]?.record(1)
        case .open: circuit[name]?.record(2)
        }
    }

    private mutating func failure(_ name: String, class kind: String) {
        let key = name + "\u{0}" + kind
        if failures[key] == nil {
            failures[key] = Counter(label: "steadfast_provider_failures_total",
                                    dimensions: [("capability", capability), ("provider", name), ("class", kind)],
                                    factory: factory)
        }
        failures[key]?.increment()
    }

    /// One-hot `steadfast_provider_state{state=…}`: 1 for the current state, 0 for those left.
    private mutating func setState(_ name: String, to state: String) {
        if let previous = currentState[name] { stateGauge(name, previous).record(0) }
        stateGauge(name, state).record(1)
        currentState[name] = state
    }

    private mutating func stateGauge(_ name: String, _ state: String) -> Gauge {
        let key = name + "\u{0}" + state
        if let gauge = states[key] { return gauge }
        let gauge = Gauge(label: "steadfast_provider_state",
                          dimensions: [("capability", capability), ("provider", name), ("state", state)], factory: factory)
        states[key] = gauge
        return gauge
    }

    /// The failure's class as a label: the error class in snake case (`rate_limited` is a 429,
    /// `quota_exhausted` a 402, `server` a 5xx, `malformed_response` a bad response), except that a
    /// timeout after output began is a `stall` and a network failure after output a `cut`.
    static func failureClass(_ kind: ErrorClass, afterOutput: Bool) -> String {
        if afterOutput, kind == .timeout { return "stall" }
        if afterOutput, kind == .network { return "cut" }
        return snakeCase(kind.rawValue)
    }

    static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
