/// What an LLM stream yields, normalized across vendors.
///
/// Order: any number of `textDelta` and `toolCall`, then at most one `usage`, then exactly one
/// `finish`. Failures are thrown as `ProviderError`, never yielded.
public enum LLMEvent: Sendable, Equatable, Codable {
    case textDelta(String)
    /// A complete call: id, name and the full arguments JSON.
    case toolCall(ToolCall)
    case usage(Usage)
    case finish(FinishReason)
}

public enum FinishReason: String, Sendable, Equatable, Codable {
    case stop, length, toolCalls, contentFilter, other
}

/// Token counts and, when the provider reports it, the cost.
public struct Usage: Sendable, Equatable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedTokens: Int
    /// USD as reported by the provider (OpenRouter `usage.cost`), or nil.
    public var costUSD: Double?

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cachedTokens: Int = 0, costUSD: Double? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedTokens = cachedTokens
        self.costUSD = costUSD
    }

    public var totalTokens: Int { inputTokens + outputTokens }
}

/// A language model behind one provider (or a rotation of models behind one provider).
public protocol LLM: Sendable {
    /// Stable provider name for logs and status ("openai", "openrouter", "local").
    var providerName: String { get }
    /// The model the next call will use.
    var model: String { get async }
    /// Streams one answer. The stream throws `ProviderError` on failure; cancelling the consuming
    /// task cancels the underlying request promptly.
    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error>
    /// The fallback chain this LLM is, if it is one: capabilities are asked for, never downcast to.
    var chain: (any LLMChainControl)? { get }
    /// The model rotation this LLM is, if it is one (the OpenRouter client).
    var modelSwitching: (any ModelSwitching)? { get }
}

extension LLM {
    public var chain: (any LLMChainControl)? { nil }
    public var modelSwitching: (any ModelSwitching)? { nil }
}
