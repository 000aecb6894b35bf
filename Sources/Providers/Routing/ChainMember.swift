/// One provider in a fallback chain: a unique name, the service, and its policy.
public struct ChainMember<Capability: RoutedCapability>: Sendable {
    public var name: String
    public var service: Capability.Service
    public var policy: ProviderPolicy

    public init(name: String, service: Capability.Service, policy: ProviderPolicy = ProviderPolicy()) {
        self.name = name
        self.service = service
        self.policy = policy
    }
}

/// What a routed stream reports besides the provider's own events.
public enum RoutedEvent<Event: Sendable>: Sendable {
    case event(Event)
    /// An attempt started on `provider`.
    case attempt(provider: String, model: String?)
    /// `from` failed (or stalled) and `to` takes over; `reason` is human-readable.
    case switched(from: String, to: String, reason: String)
    /// The answer was completed by `provider`; `ttft` is from the request's start.
    case served(provider: String, model: String?, ttft: Duration?)
}

/// Hedging: start the next provider when the first has not produced output in time.
public struct HedgePolicy: Sendable, Equatable {
    /// Floor for the hedge delay; the actual delay is max(this, the primary's p90 TTFT).
    public var minimumDelay: Duration
    /// Share of requests that may be hedged (token bucket refilled per request).
    public var maximumShare: Double

    public init(minimumDelay: Duration = .milliseconds(400), maximumShare: Double = 0.10) {
        self.minimumDelay = minimumDelay
        self.maximumShare = maximumShare
    }
}

/// Why a routed request could not be answered at all (only possible in a chain without a last resort).
public struct RouterExhaustedError: Error, Sendable, CustomStringConvertible {
    public let chain: String
    public let failures: [ProviderError]
    public var description: String {
        "all \(chain) providers failed: " + failures.map(\.description).joined(separator: "; ")
    }
}
