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
