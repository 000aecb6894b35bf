import Foundation
import LiveKitProtocol

/// One job the server assigned to this worker, as the rest of the process sees it: our own type at
/// the `AgentWorker` boundary, so callers never depend on the generated protobuf (`Livekit_Job`).
public struct WorkerJob: Sendable, Equatable {
    public var id: String
    /// The room to join.
    public var roomName: String
    /// The agent name the job was dispatched to (empty: automatic dispatch).
    public var agentName: String
    /// Free-form metadata from the dispatch (e.g. `lk dispatch create --metadata`).
    public var metadata: String
    /// The participant a participant job is for; nil for a room job.
    public var participantIdentity: String?
    /// Where to join: the assignment's server, or the worker's own.
    public var url: URL
    /// The job's room token. Never logged.
    public var token: String

    public init(id: String, roomName: String, agentName: String = "", metadata: String = "",
                participantIdentity: String? = nil, url: URL, token: String) {
        self.id = id
        self.roomName = roomName
        self.agentName = agentName
        self.metadata = metadata
        self.participantIdentity = participantIdentity
        self.url = url
        self.token = token
    }

    init(_ job: Livekit_Job, url: URL, token: String) {
        self.init(id: job.id, roomName: job.room.name, agentName: job.agentName, metadata: job.metadata,
                  participantIdentity: job.hasParticipant && !job.participant.identity.isEmpty ? job.participant.identity : nil,
                  url: url, token: token)
    }
}
