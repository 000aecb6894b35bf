import Logging
import Providers

/// What users write: one conversational role (an assistant, a receptionist), the Swift shape of
/// LiveKit's `voice.Agent`.
///
/// An agent is a description plus hooks; the session (in the `Voice` target) owns the audio, the
/// chat context and the LLM chain, and calls the hooks at the matching moments. Everything but
/// `name` and `instructions` has a default, so the smallest agent is a struct with two strings:
///
///     struct Concierge: VoiceAgent {
///         let name = "concierge"
///         let instructions = "You are a hotel concierge. Keep answers short."
///     }
///
/// Handoff: a tool returns `ToolOutput.handoff(otherAgent, message:)`; the session calls
/// `onExit` on this agent, swaps in the other one (keeping the chat context, with the
/// instructions replaced) and calls its `onEnter`.
public protocol VoiceAgent: Sendable {
    /// Registry name; the worker uses it as LiveKit's `agent_name` for explicit dispatch.
    var name: String { get }
    /// The system prompt.
    var instructions: String { get }
    /// Tools the model may call during this agent's turns.
    var tools: [any Tool] { get }
    /// Said by the default `onEnter` when the agent becomes active; nil waits for the user.
    var greeting: String? { get }
    /// Per-agent choices of LLM, voice and turn timing; empty means the session's defaults.
    var preferences: AgentPreferences { get }

    /// Called when the agent becomes the session's active agent (session start or handoff).
    func onEnter(session: any AgentSessionControl) async
    /// Called when the agent stops being active (handoff away or session end).
    func onExit(session: any AgentSessionControl) async
    /// Called with the user's finished turn before the LLM runs. The hook may edit the context
    /// (add retrieved facts, drop noise); throwing `AgentStopResponse` skips the reply entirely.
    func onUserTurnCompleted(chatContext: inout ChatContext, message: ChatMessage) async throws

    /// STT step: the final user transcript; return a corrected one, or nil to keep the session's.
    func sttNode(transcript: String, session: any AgentSessionControl) async -> String?
    /// LLM step: an LLM to answer this turn instead of the session's chain, or nil for the chain.
    func llmNode(chatContext: ChatContext, session: any AgentSessionControl) async -> (any LLM)?
    /// TTS step: text about to be spoken; return a rewrite (pronunciations, no markdown) or nil to speak it as is.
    func ttsNode(text: String, session: any AgentSessionControl) async -> String?
}

extension VoiceAgent {
    public var tools: [any Tool] { [] }
    public var greeting: String? { nil }
    public var preferences: AgentPreferences { AgentPreferences() }

    public func onEnter(session: any AgentSessionControl) async {
        if let greeting, !greeting.isEmpty { await session.say(greeting) }
    }
    public func onExit(session: any AgentSessionControl) async {}
    public func onUserTurnCompleted(chatContext: inout ChatContext, message: ChatMessage) async throws {}

    public func sttNode(transcript: String, session: any AgentSessionControl) async -> String? { nil }
    public func llmNode(chatContext: ChatContext, session: any AgentSessionControl) async -> (any LLM)? { nil }
    public func ttsNode(text: String, session: any AgentSessionControl) async -> String? { nil }
}
