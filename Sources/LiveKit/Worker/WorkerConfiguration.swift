import LiveKitProtocol

/// How a worker presents itself to the server and paces itself, with LiveKit's defaults.
public struct WorkerConfiguration: Sendable {
    /// Explicit-dispatch name (`agent_name`); empty takes automatic dispatch for every new room.
    public var agentName: String
    public var version: String
    public var jobType: Livekit_JobType
    /// Groups workers for dispatch (LiveKit Cloud deployments); empty for the default.
    public var deployment: String
    /// What the agent may do in the room; the server builds the job token from it.
    public var permissions: Livekit_ParticipantPermission
    /// At or above this load the worker reports itself full and declines jobs (0.7 in production;
    /// `.infinity` in development, where one worker takes everything).
    public var loadThreshold: Double
    /// How often status (load, job count) goes to the server.
    public var statusInterval: Duration
    /// How long the worker waits for `JobAssignment` after accepting a job.
    public var assignmentTimeout: Duration
    /// How long the server may take to answer `register`.
    public var registerTimeout: Duration
    /// Reconnection attempts after a lost connection before the worker gives up.
    public var maximumReconnectAttempts: Int

    public init(agentName: String = "", version: String = "0.1.0", jobType: Livekit_JobType = .jtRoom,
                deployment: String = "", permissions: Livekit_ParticipantPermission = WorkerConfiguration.defaultPermissions,
                loadThreshold: Double = 0.7, statusInterval: Duration = .milliseconds(2_500),
                assignmentTimeout: Duration = .milliseconds(7_500), registerTimeout: Duration = .seconds(10),
                maximumReconnectAttempts: Int = 16) {
        self.agentName = agentName
        self.version = version
        self.jobType = jobType
        self.deployment = deployment
        self.permissions = permissions
        self.loadThreshold = loadThreshold
        self.statusInterval = statusInterval
        self.assignmentTimeout = assignmentTimeout
        self.registerTimeout = registerTimeout
        self.maximumReconnectAttempts = maximumReconnectAttempts
    }

    /// Publish, subscribe, data and metadata, as an agent; not hidden.
    public static var defaultPermissions: Livekit_ParticipantPermission {
        var permissions = Livekit_ParticipantPermission()
        permissions.canPublish = true
        permissions.canSubscribe = true
        permissions.canPublishData = true
        permissions.canUpdateMetadata = true
        permissions.agent = true
        return permissions
    }

    /// The wait before reconnect attempt `attempt` (1-based): LiveKit's `min(2 × attempt, 10)` seconds.
    public static func reconnectDelay(attempt: Int) -> Duration {
        .seconds(min(max(0, attempt - 1) * 2, 10))
    }
}
