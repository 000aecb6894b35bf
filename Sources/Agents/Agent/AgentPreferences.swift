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

/// Turn-taking timing, with LiveKit's defaults (endpointing 0.5–3 s, interruptions after 0.5 s of speech).
public struct TurnSettings: Sendable, Equatable {
    /// Silence after speech before the turn may end.
    public var minEndpointingDelay: Duration
    /// Longest wait for more speech before the turn ends anyway.
    public var maxEndpointingDelay: Duration
    /// User speech shorter than this while the agent talks is not a barge-in.
    public var minInterruptionDuration: Duration

    public init(minEndpointingDelay: Duration = .milliseconds(500), maxEndpointingDelay: Duration = .seconds(3),
                minInterruptionDuration: Duration = .milliseconds(500)) {
        self.minEndpointingDelay = minEndpointingDelay
        self.maxEndpointingDelay = maxEndpointingDelay
        self.minInterruptionDuration = minInterruptionDuration
    }
}
