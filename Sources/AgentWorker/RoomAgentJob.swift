import Agents
import Audio
import Foundation
import LiveKit
import Logging
import Providers
import Voice

/// One job: join the room with the job's token, run an `AgentSession` on the audio of the
/// participant the agent talks to, and publish what the agent says. Ends when the room ends,
/// the signalling connection closes, or the task is cancelled (job termination, drain).
public struct RoomAgentJob: Sendable {
    /// What a session needs besides the room: the agent and its chains.
    public struct Pipeline: Sendable {
        public var agent: any VoiceAgent
        public var llm: any LLM
        public var stt: FallbackRouter<STTCapability>
        public var tts: FallbackRouter<TTSCapability>
        public var options: AgentSessionOptions

        public init(agent: any VoiceAgent, llm: any LLM, stt: FallbackRouter<STTCapability>,
                    tts: FallbackRouter<TTSCapability>, options: AgentSessionOptions = AgentSessionOptions()) {
            self.agent = agent
            self.llm = llm
            self.stt = stt
            self.tts = tts
            self.options = options
        }
    }

    public var url: URL
    public var token: String
    /// Local addresses for ICE host candidates.
    public var hosts: [String]
    public var logger: Logger

    public init(url: URL, token: String, hosts: [String], logger: Logger) {
        self.url = url
        self.token = token
        self.hosts = hosts
        self.logger = logger
    }

    /// Runs the job to its end; throws when the room could not be joined.
    public func run(_ pipeline: Pipeline) async throws {
        let client = RoomClient(options: .init(url: url, token: token, hosts: hosts), logger: logger)
        let session = try AgentSession(agent: pipeline.agent, llm: pipeline.llm, stt: pipeline.stt, tts: pipeline.tts,
                                       options: pipeline.options, logger: logger)
        let logger = self.logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Agent speech → our microphone track.
            group.addTask {
                for await frame in session.audioOutput { await client.publish(frame) }
            }
            // Transcripts and state into the job's log.
            group.addTask {
                for await event in session.events {
                    switch event {
                    case .stateChanged(let state):
                        // What LiveKit frontends read to show the agent listening, thinking or speaking.
                        await client.setAttributes(["lk.agent.state": state.rawValue])
                    case .userTranscript(let text, true): logger.info("User said: \(text)")
                    case .replyFinished(let text, let interrupted):
                        logger.info("Agent said: \(text)\(interrupted ? " (interrupted)" : "")")
                    case .metrics(let metrics): logger.info("Turn metrics: \(metrics.summary)")
                    default: break
                    }
                }
            }
            // Room events: greet once joined, feed the first subscribed audio track to the session.
            group.addTask {
                var listening: String?
                var started = false
                for await event in client.events {
                    switch event {
                    case .connectionState(_, .connected) where !started:
                        started = true
                        // The greeting plays in real time; the room's audio keeps flowing meanwhile.
                        // Unstructured: it ends with the greeting (or with the session's close).
                        Task { await session.start() }
                    case .trackSubscribed(let mid, let trackID):
                        if listening == nil {
                            listening = mid
                            logger.info("Listening to track \(trackID ?? mid)")
                        }
                    case .audio(let mid, let frame):
                        if mid == listening { await session.consume(frame) }
                    case .error(let message):
                        logger.warning("Room: \(message)")
                    case .disconnected(let reason):
                        logger.info("Left the room: \(reason)")
                    default:
                        break
                    }
                }
                await session.close()
            }
            group.addTask {
                try await withTaskCancellationHandler {
                    try await client.run()
                } onCancel: {
                    Task { await client.leave() }
                }
            }
            try await group.waitForAll()
        }
    }
}
