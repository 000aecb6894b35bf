/// What the agent is doing, as LiveKit publishes it in the `lk.agent.state` participant attribute.
public enum AgentState: String, Sendable, Equatable {
    case initializing, listening, thinking, speaking
}
