/// What a session reports while it runs: the console prints these, a room publishes them
/// (state attribute, transcription streams), the status endpoint keeps the metrics.
public enum AgentSessionEvent: Sendable, Equatable {
    case stateChanged(AgentState)
    case userStartedSpeaking
    case userStoppedSpeaking
    /// The user's words: interim while the turn is open, final when it is answered.
    case userTranscript(String, isFinal: Bool)
    /// Agent text as it streams from the LLM (before it is spoken; text mode prints these).
    case agentTextDelta(String)
    /// Agent text as its audio starts playing (a sentence or clause at a time).
    case agentSpeaking(String)
    /// A tool ran: its name, arguments, result and whether it failed.
    case toolCalled(name: String, arguments: String, result: String, failed: Bool)
    /// User speech over the reply lasted long enough: the reply is being stopped.
    case bargeIn
    /// The user talked over the agent; `spoken` is what they heard before it stopped.
    case interrupted(spoken: String)
    /// A handoff changed the active agent.
    case agentChanged(from: String, to: String)
    /// A reply finished (or was cut): its full text as kept in the chat context.
    case replyFinished(text: String, interrupted: Bool)
    case metrics(TurnMetrics)
    /// Something went wrong but the session carries on (the caller hears an apology).
    case error(VoiceError)
}
