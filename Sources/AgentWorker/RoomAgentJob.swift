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
///
/// The room's data plane (docs/livekit-data.md): both sides' words go out as live transcripts on
/// `lk.transcription` (`RoomTranscriber`), text on `lk.chat` (a stream or a legacy chat packet)
/// becomes a user turn, the RPC method `steadfast.provider_status` answers with the provider chains'
/// status JSON, and after each turn the provider that answered is published as the participant
/// attribute `steadfast.llm_provider` and as a `steadfast.turn` data packet.
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
        let transcriber = RoomTranscriber(client: client)
        // Typed chat waits here for its turn; a flood keeps only the newest few.
        let (chats, chatSink) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(8))
        client.readStreams(topic: Self.chatTopic)
        let llm = pipeline.llm, stt = pipeline.stt, tts = pipeline.tts
        client.registerRpcMethod(Self.providerStatusMethod) { invocation in
            logger.info("RPC \(invocation.method) from \(invocation.callerIdentity)")
            return await Self.providerStatus(llm: llm, stt: stt, tts: tts)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await transcriber.run() }
            // Typed turns, one at a time; the reply is spoken and transcribed like a spoken one.
            group.addTask {
                for await text in chats {
                    let reply = await session.respond(to: text)
                    logger.info("Chat turn answered", metadata: ["reply.characters": "\(reply.count)"])
                }
            }
            // Agent speech → our microphone track.
            group.addTask {
                for await frame in session.audioOutput { client.publish(frame) }
            }
            // Transcripts and state into the job's log.
            group.addTask {
                var turn = 0
                for await event in session.events {
                    switch event {
                    case .stateChanged(let state):
                        // What LiveKit frontends read to show the agent listening, thinking or speaking.
                        client.setAttributes(["lk.agent.state": state.rawValue])
                        if state == .listening { transcriber.send(.agentReplyFinished) }
                    case .userTranscript(let text, let isFinal):
                        if isFinal { logger.info("User said: \(text)") }
                        let caller = selector.withLock { $0.current }
                        if let identity = caller?.participant?.identity {
                            transcriber.send(.userTranscript(text, isFinal: isFinal, identity: identity, trackSID: caller?.trackSID))
                        }
                    case .agentSpeaking(let text): transcriber.send(.agentSpeechStarted(text))
                    case .bargeIn: transcriber.send(.agentBargeIn)
                    case .interrupted(let spoken): transcriber.send(.agentInterrupted(spoken: spoken))
                    case .replyFinished(let text, let interrupted):
                        logger.info("Agent said: \(text)\(interrupted ? " (interrupted)" : "")")
                    case .metrics(let metrics):
                        logger.info("Turn metrics: \(metrics.summary)")
                        turn += 1
                        Self.publishProvider(of: metrics, turn: turn, on: client)
                    default: break
                    }
                }
                transcriber.finish()
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
                    case .trackPublished(let sid):
                        transcriber.send(.agentTrack(sid: sid))
                    case .data(.textStream(let stream)) where stream.info.topic == Self.chatTopic:
                        logger.info("Chat from \(stream.info.senderIdentity)", metadata: ["chat.characters": "\(stream.text.count)"])
                        chatSink.yield(stream.text)
                    case .data(.chatMessage(let message)):
                        logger.info("Chat from \(message.senderIdentity)", metadata: ["chat.characters": "\(message.text.count)"])
                        chatSink.yield(message.text)
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
                chatSink.finish()
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

extension RoomAgentJob {
    /// The topic LiveKit frontends send typed chat on (livekit-agents `TOPIC_CHAT`).
    public static let chatTopic = "lk.chat"
    /// The RPC method that answers with the provider chains' status JSON (the worker's `/status` shape).
    public static let providerStatusMethod = "steadfast.provider_status"
    /// The participant attribute naming the LLM provider that served the latest turn.
    public static let providerAttribute = "steadfast.llm_provider"
    /// The data topic that carries one JSON object per turn: its provider and latencies.
    public static let turnTopic = "steadfast.turn"

    static func providerStatus(llm: any LLM, stt: FallbackRouter<STTCapability>, tts: FallbackRouter<TTSCapability>) async -> String {
        var chains: [ChainStatus] = []
        if let chain = llm.chain { chains.append(await chain.status()) }
        chains.append(await stt.status())
        chains.append(await tts.status())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(["chains": chains])) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Tells the room which provider answered: the attribute frontends can show, and a per-turn record.
    static func publishProvider(of metrics: TurnMetrics, turn: Int, on client: RoomClient) {
        guard let provider = metrics.llmProvider else { return }
        client.setAttributes([providerAttribute: provider.rawValue])
        var record: [String: String] = ["turn": "\(turn)", "llm_provider": provider.rawValue]
        func milliseconds(_ duration: Duration?) -> String? {
            duration.map { "\(Int(($0 / .milliseconds(1)).rounded()))" }
        }
        record["llm_ttft_ms"] = milliseconds(metrics.llmTimeToFirstToken)
        record["e2e_ms"] = milliseconds(metrics.endToEnd)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let json = try? encoder.encode(record) { client.sendData(json, topic: turnTopic) }
    }
}

/// The selector shared by the events task (which updates it) and the audio task (which asks it).
private final class SharedCallerSelector: Sendable {
    private let state: Mutex<CallerSelector>
    init(_ selector: CallerSelector) { state = Mutex(selector) }
    func withLock<T: Sendable>(_ body: (inout CallerSelector) -> T) -> T { state.withLock { body(&$0) } }
}
