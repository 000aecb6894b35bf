/// Everything one LLM call needs. Adapters translate it to their wire format.
public struct LLMRequest: Sendable, Equatable, Hashable {
    public var messages: [ChatMessage]
    public var tools: [ToolDefinition]
    public var toolChoice: ToolChoice
    public var temperature: Double?
    public var maxTokens: Int?
    /// Overrides the adapter's configured model for this call.
    public var model: String?
    /// Latest instant by which the whole answer must be complete; adapters map it to a total timeout.
    public var deadline: ContinuousClock.Instant?
    /// Whether a response cache may answer this request (deterministic requests only, never live conversation).
    public var cacheable: Bool

    public init(messages: [ChatMessage], tools: [ToolDefinition] = [], toolChoice: ToolChoice = .auto,
                temperature: Double? = nil, maxTokens: Int? = nil, model: String? = nil,
                deadline: ContinuousClock.Instant? = nil, cacheable: Bool = false) {
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.model = model
        self.deadline = deadline
        self.cacheable = cacheable
    }
}
