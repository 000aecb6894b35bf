import Agents
import Audio
import Foundation
import LiveKit
import Logging
import Providers
import Synchronization
import Voice

/// One job: join the room with the job's token, run an `AgentSession` on the audio of the
/// participant the agent talks to (chosen by `CallerSelector`), and publish what the agent says. Ends when the room ends,
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
    /// The participant the dispatch named (a participant job); nil: the first person who publishes audio.
    public var participantIdentity: String?
    public var logger: Logger

    public init(url: URL, token: String, hosts: [String], participantIdentity: String? = nil, logger: Logger) {
        self.url = url
        self.token = token
        self.hosts = hosts
        self.participantIdentity = participantIdentity
        self.logger = logger
    }

    /// Runs the job to its end; throws when the room could not be joined.
    public func run(_ pipeline: Pipeline) async throws {
        let client = RoomClient(options: .init(url: url, token: token, hosts: hosts), logger: logger)
        let session = try AgentSession(agent: pipeline.agent, llm: pipeline.llm, stt: pipeline.stt, tts: pipeline.tts,
                                       options: pipeline.options, logger: logger)
        let logger = self.logger
        let selector = SharedCallerSelector(CallerSelector(requestedIdentity: participantIdentity))
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Agent speech → our microphone track.
            group.addTask {
                for await frame in session.audioOutput { client.publish(frame) }
            }
            // Transcripts and state into the job's log.
            group.addTask {
                for await event in session.events {
                    switch event {
                    case .stateChanged(let state):
                        // What LiveKit frontends read to show the agent listening, thinking or speaking.
                        client.setAttributes(["lk.agent.state": state.rawValue])
                    case .userTranscript(let text, true): logger.info("User said: \(text)")
                    case .replyFinished(let text, let interrupted):
                        logger.info("Agent said: \(text)\(interrupted ? " (interrupted)" : "")")
                    case .metrics(let metrics): logger.info("Turn metrics: \(metrics.summary)")
                    default: break
                    }
                }
            }
            // The caller's audio → the session; everyone else's is not listened to.
            group.addTask {
                for await audio in client.audio where selector.withLock({ $0.isCaller(audio) }) {
                    await session.consume(audio.frame)
                }
            }
            // Room events: greet once joined, choose the caller among the subscribed tracks.
            group.addTask {
                var started = false
                for await event in client.events {
                    let changed = selector.withLock { $0.handle(event) }
                    if changed {
                        if let track = selector.withLock({ $0.current }) {
                            logger.info("Listening to \(track.participant?.identity ?? "?") (track \(track.trackSID ?? track.mid))")
                        } else {
                            logger.info("The caller's audio is gone; waiting for another caller")
                        }
                    }
                    switch event {
                    case .connectionState(_, .connected) where !started:
                        started = true
                        // The greeting plays in real time; the room's audio keeps flowing meanwhile.
                        // Unstructured: it ends with the greeting (or with the session's close).
                        Task { await session.start() }
                    case .error(let error):
                        logger.warning("Room: \(error)")
                    case .disconnected(let reason):
                        let stats = client.stats
                        logger.info("Left the room: \(reason)", metadata: [
                            "audio.in.dropped": "\(stats.audioInDropped)", "audio.out.dropped": "\(stats.audioOutDropped)",
                        ])
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
                    client.leave()
                }
            }
            try await group.waitForAll()
        }
    }
}

/// The selector shared by the events task (which updates it) and the audio task (which asks it).
private final class SharedCallerSelector: Sendable {
    private let state: Mutex<CallerSelector>
    init(_ selector: CallerSelector) { state = Mutex(selector) }
    func withLock<T: Sendable>(_ body: (inout CallerSelector) -> T) -> T { state.withLock { body(&$0) } }
}
