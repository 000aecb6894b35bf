/// Thrown from `onUserTurnCompleted` when the agent decides not to answer this turn (LiveKit's `StopResponse`).
public struct AgentStopResponse: Error, Sendable, Equatable {
    public init() {}
}
