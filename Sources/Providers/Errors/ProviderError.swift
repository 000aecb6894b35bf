import Transport

/// The one error type of `Providers`: every adapter failure, classified for routing decisions.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public let kind: ErrorClass
    /// Human-readable, with secrets removed (never an API key or token).
    public let message: String
    public let provider: String
    /// HTTP status when the failure came from one.
    public let status: Int?
    /// How long the provider asked us to wait (Retry-After), when it said.
    public let retryAfter: Duration?
    /// Rate-limit headers seen on the failing response.
    public let rateLimit: RateLimitInfo?

    public init(_ kind: ErrorClass, _ message: String, provider: String, status: Int? = nil,
                retryAfter: Duration? = nil, rateLimit: RateLimitInfo? = nil) {
        self.kind = kind
        self.message = message
        self.provider = provider
        self.status = status
        self.retryAfter = retryAfter
        self.rateLimit = rateLimit
    }

    public var description: String {
        "\(provider): \(kind.rawValue)\(status.map { " (HTTP \($0))" } ?? ""): \(message)"
    }
}

/// Why a provider call failed, which decides what the router does next.
public enum ErrorClass: String, Sendable, Equatable, Codable, CaseIterable {
    /// 429 and friends: retry after a wait, or use another provider meanwhile.
    case rateLimited
    /// Credits or daily quota gone (402, insufficient_quota): cool down until the quota resets.
    case quotaExhausted
    /// Bad or revoked key (401, 403): disabled until the configuration changes; never retried.
    case auth
    /// The request itself is wrong: retrying elsewhere will not help.
    case badRequest
    /// The prompt is too long for this model: try a provider with a larger context.
    case contextLength
    /// 5xx, 529, overloaded.
    case server
    /// Connect, first-token, idle or total deadline passed (includes stalls).
    case timeout
    /// Connection refused, reset or cut mid-stream.
    case network
    /// Moderation or safety refusal.
    case contentPolicy
    /// The model itself is gone or unknown (OpenAI `model_not_found`, Anthropic `not_found_error` for a
    /// model, Gemini `NOT_FOUND`, Groq `model_decommissioned`, OpenRouter "is not a valid model ID" /
    /// "No endpoints found"): a configuration error for that model. Never retried and never an outage
    /// of the provider; the member is marked unavailable until the configuration changes, and a
    /// rotation moves on to its next model.
    case modelUnavailable
    /// The provider answered something we could not parse.
    case malformedResponse
    /// Our caller cancelled (barge-in). Never counted against a provider.
    case cancelled
}
