/// The parts of the pipeline one agent may choose for itself; every nil means "the session's default".
/// Declarative agents fill it from their YAML `llm`, `voice` and `turn` sections.
public struct AgentPreferences: Sendable, Equatable {
    public var llm: LLMPreference?
    /// A TTS voice name, passed to the session's TTS as is.
    public var voice: String?
    public var turn: TurnSettings?

    public init(llm: LLMPreference? = nil, voice: String? = nil, turn: TurnSettings? = nil) {
        self.llm = llm
        self.voice = voice
        self.turn = turn
    }
}

/// Which LLM an agent wants.
public enum LLMPreference: Sendable, Equatable {
    /// A chain by name: `default`, `bulletproof`, `openrouter`, `local` or a provider (see `LLMChainKind(name:)`).
    case chain(String)
    /// OpenRouter models in rotation order (default first).
    case models([String])
}
