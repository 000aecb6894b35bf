import LiveKitProtocol

/// Where a worker's connection to the server stands.
public enum WorkerState: Sendable, Equatable {
    case idle
    case connecting
    case registering
    case registered
    case waitingToReconnect
    /// Draining finished: no jobs left, none accepted.
    case drained
    /// Reconnection attempts ran out.
    case failed
}

/// What a worker tells its driver.
public enum WorkerEvent: Sendable, Equatable {
    case registered(workerID: String, serverVersion: String)
    /// The server offers a job; answer with `.accept` or `.reject`.
    case jobOffered(Livekit_Job)
    /// Declined without asking the driver (draining, or at the load threshold).
    case jobDeclined(jobID: String, reason: String)
    /// Join the job's room: `url` nil means the server the worker is connected to.
    case jobAssigned(Livekit_Job, url: String?, token: String)
    /// The server ended a job; leave its room and report its status.
    case jobTerminated(jobID: String)
    /// An accepted job was never assigned (the server gave it to someone else or lost it).
    case assignmentTimedOut(jobID: String)
    case disconnected(reason: String)
    case drained
    case failed(String)
    /// A frame the worker could not use (dropped; the connection stays up).
    case protocolError(String)
}
