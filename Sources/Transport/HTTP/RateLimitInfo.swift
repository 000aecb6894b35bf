/// Rate-limit state a provider reported in response headers (`x-ratelimit-*`).
///
/// Groq/OpenAI style: `x-ratelimit-limit-requests`, `-remaining-requests`, `-reset-requests`
/// (durations such as "2m59.56s" or "7.66s"), and the same for `-tokens`. OpenRouter style:
/// `X-RateLimit-Limit`, `-Remaining`, `-Reset` (reset as epoch milliseconds).
public struct RateLimitInfo: Sendable, Equatable {
    public var limitRequests: Int?
    public var remainingRequests: Int?
    /// Time until the request window resets.
    public var resetRequests: Duration?
    public var limitTokens: Int?
    public var remainingTokens: Int?
    public var resetTokens: Duration?

    public init(limitRequests: Int? = nil, remainingRequests: Int? = nil, resetRequests: Duration? = nil,
                limitTokens: Int? = nil, remainingTokens: Int? = nil, resetTokens: Duration? = nil) {
        self.limitRequests = limitRequests
        self.remainingRequests = remainingRequests
        self.resetRequests = resetRequests
        self.limitTokens = limitTokens
        self.remainingTokens = remainingTokens
        self.resetTokens = resetTokens
    }

    public var isEmpty: Bool { self == RateLimitInfo() }
}
