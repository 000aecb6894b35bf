import Logging
import Providers

/// The part of a running session that tools and hooks may use: which LLM answers, which agent is
/// active, and a logger. The session actor conforms; tests use `StaticSessionControl`.
///
/// It is deliberately narrow, so tools cannot reach into audio or room state.
public protocol AgentSessionControl: Sendable {
    /// The LLM the session calls for the active agent: usually a chain (see `LLM.chain`).
    var llm: any LLM { get async }
    /// The active agent's registry name.
    var agentName: String { get async }
    /// A logger with the session's metadata (room, job) attached.
    var logger: Logger { get }
    /// Speaks `text` as the agent (queued after anything already being said) and records it in the
    /// chat context: greetings, "one moment while I check".
    func say(_ text: String) async
}

extension AgentSessionControl {
    /// The fallback chain behind `llm`, when it is one (model tools inspect and switch it).
    public var llmChain: (any LLMChainControl)? {
        get async { await llm.chain }
    }
}
