import Audio
import Foundation
import HTTPTypes
import LiveKitProtocol
import Logging
import Media
import NIOCore
import RTC
import SteadfastConfig
import WSClient

/// Joins a LiveKit room as one participant: `/rtc` signalling (`SignalCore`) over a WebSocket, a
/// publisher `PeerConnection` we offer on (one Opus microphone track), and a subscriber
/// `PeerConnection` the server offers on (the other participants' audio).
///
/// It joins with signalling protocol 2, as LiveKit's ESP32 SDK does: the publisher connection is
/// the primary one, the server runs full ICE, and it never pushes a data-channel-only offer, which
/// this stack (no SCTP yet) could not accept. Audio out goes through `publish(_:)`; audio in and
/// everything else arrives on `events`.
public actor RoomClient {
    public struct Options: Sendable {
        public var url: URL
        public var token: String
        /// Local addresses to gather host candidates on.
        public var hosts: [String]
        public var protocolVersion = 2

        public init(url: URL, token: String, hosts: [String]) {
            self.url = url
            self.token = token
            self.hosts = hosts
        }
    }

    public nonisolated let events: AsyncStream<RoomEvent>
    private let eventSink: AsyncStream<RoomEvent>.Continuation
    private let options: Options
    private let logger: Logger
    private var core = SignalCore()
    private var outgoing: AsyncStream<Data>.Continuation?
    private var publisher: PeerConnectionDriver?
    private var subscriber: PeerConnectionDriver?
    private var finished = false
    private static let microphoneTrackID = "steadfast-microphone"

    public init(options: Options, logger: Logger = Logger(label: "steadfast.room")) {
        self.options = options
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream()
    }

    /// The `/rtc` URL with the client's query (the token also travels as a bearer header).
    static func signalURL(_ url: URL, token: String, protocolVersion: Int) throws(ConfigError) -> String {
        guard let string = try signalComponents(url, token: token, protocolVersion: protocolVersion).string else {
            throw ConfigError(.invalid, "LIVEKIT_URL \(LiveKitEndpoint.redacted(url)) is not usable")
        }
        return string
    }

    static func signalComponents(_ url: URL, token: String, protocolVersion: Int) throws(ConfigError) -> URLComponents {
        var components = try LiveKitEndpoint.components(url, path: "/rtc")
        components.queryItems = [
            URLQueryItem(name: "access_token", value: token),
            URLQueryItem(name: "protocol", value: "\(protocolVersion)"),
            URLQueryItem(name: "sdk", value: "swift"),
            URLQueryItem(name: "version", value: "0.1.0"),
            URLQueryItem(name: "os", value: "linux"),
            URLQueryItem(name: "auto_subscribe", value: "1"),
            URLQueryItem(name: "adaptive_stream", value: "0"),
        ]
        return components
    }

    // MARK: Running

    /// Joins and stays until the room is left (by `leave()`, the server, or a lost connection).
    public func run() async throws {
        let url = try Self.signalComponents(options.url, token: options.token, protocolVersion: options.protocolVersion)
        let headers: HTTPFields = [.authorization: "Bearer \(options.token)"]
        // Pings and the other signalling timers.
        let timers = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                await self.tick()
            }
        }
        defer { timers.cancel() }
        do {
            try await LiveKitWebSocket.connect(url, headers: headers, maxFrameSize: 1 << 22, logger: logger) { inbound, outbound, _ in
                let frames = await self.opened()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await frame in frames { try await outbound.write(.binary(ByteBuffer(bytes: frame))) }
                    }
                    group.addTask {
                        for try await message in inbound.messages(maxSize: 1 << 22) {
                            if case .binary(let buffer) = message { await self.received(Data(buffer.readableBytesView)) }
                        }
                    }
                    _ = try await group.next()
                    group.cancelAll()
                }
            }
        } catch {
            closeMedia()
            emit(.disconnected("\(error)"))
            finish()
            throw error
        }
        closeMedia()
        emit(.disconnected("signalling closed"))
        finish()
    }

    /// Queues audio on our microphone track (any length; sent in 20 ms Opus frames).
    public func publish(_ audio: AudioFrame) {
        publisher?.enqueue(audio)
    }

    /// Sets our participant attributes (merged by the server).
    public func setAttributes(_ attributes: [String: String]) {
        feed(.updateAttributes(attributes))
    }

    /// Leaves the room: a leave request, then the connections close.
    public func leave() {
        feed(.leave)
        outgoing?.finish()
    }

    public var signalState: SignalState { core.state }

    // MARK: Signalling

    private func opened() -> AsyncStream<Data> {
        let (frames, sink) = AsyncStream<Data>.makeStream()
        outgoing = sink
        return frames
    }

    private func received(_ frame: Data) { feed(.frame(frame)) }

    private func tick() {
        if let deadline = core.nextDeadline, deadline <= .now { feed(.timeout) }
    }

    private func feed(_ input: SignalCore.Input) {
        core.handle(input, now: .now)
        while let output = core.pollOutput() {
            switch output {
            case .send(let frame): outgoing?.yield(frame)
            case .event(let event): handle(event)
            }
        }
    }

    private func handle(_ event: SignalEvent) {
        switch event {
        case .joined(let room, let participant, _, _, _):
            logger.info("Joined the room", metadata: ["room.name": "\(room)", "participant.sid": "\(participant)"])
            startPublishing()
            emit(.joined(room: room, participantSID: participant))
        case .trackPublished(let cid, let sid):
            guard cid == Self.microphoneTrackID else { return }
            emit(.trackPublished(sid: sid))
            // The server expects the offer once it has accepted the track (LiveKit matches it by msid).
            Task { await self.offerPublisher() }
        case .remoteAnswer(let sdp, _):
            guard let publisher else { return }
            Task {
                do { try await publisher.withConnection { try $0.setRemoteDescription(sdp, type: .answer, now: .now) } } catch {
                    await self.emit(.error("the server's answer was refused: \(error)"))
                }
            }
        case .remoteOffer(let sdp, let id, let tracks):
            Task { await self.answerSubscriber(sdp: sdp, id: id, tracks: tracks) }
        case .remoteCandidate(let candidate, _, let target, let final):
            guard let driver = target == .publisher ? publisher : subscriber else { return }
            let attribute = final && candidate.isEmpty ? "" : candidate
            Task { try? await driver.withConnection { try $0.addRemoteCandidate(attribute, now: .now) } }
        case .participantJoined(let info):
            emit(.participantJoined(identity: info.identity, sid: info.sid))
        case .participantLeft(let sid):
            emit(.participantLeft(sid: sid))
        case .serverLeave(let reason, _):
            emit(.disconnected("the server ended the session: \(reason)"))
            outgoing?.finish()
        case .stale(let reason):
            emit(.disconnected("signalling went stale: \(reason)"))
            outgoing?.finish()
        case .requestRefused(let message):
            emit(.error("the server refused a request: \(message)"))
        case .protocolError(let message):
            logger.warning("Ignored a signalling frame: \(message)")
        case .participantUpdated, .remoteCandidate:
            break
        }
    }

    // MARK: Media

    private func startPublishing() {
        do {
            let driver = try makeDriver(.publisher)
            driver.connection.addSendTrack(streamID: "steadfast", trackID: Self.microphoneTrackID)
            try driver.start()
            publisher = driver
            feed(.publishAudio(cid: Self.microphoneTrackID, name: "microphone"))
        } catch {
            emit(.error("cannot start the publisher connection: \(error)"))
        }
    }

    private func offerPublisher() async {
        guard let publisher else { return }
        do {
            let offer = try await publisher.withConnection { try $0.createOffer() }
            feed(.sendOffer(sdp: offer))
        } catch {
            emit(.error("cannot create the publisher offer: \(error)"))
        }
    }

    private func answerSubscriber(sdp: String, id: UInt32, tracks: [String: String]) async {
        do {
            if subscriber == nil {
                let driver = try makeDriver(.subscriber, trackNames: tracks)
                try driver.start()
                subscriber = driver
            }
            guard let subscriber else { return }
            let answer = try await subscriber.withConnection { connection in
                try connection.setRemoteDescription(sdp, type: .offer, now: .now)
                return try connection.createAnswer()
            }
            feed(.sendAnswer(sdp: answer, offerID: id))
        } catch {
            emit(.error("cannot answer the subscriber offer: \(error)"))
        }
    }

    private func makeDriver(_ role: RoomConnection, trackNames: [String: String] = [:]) throws -> PeerConnectionDriver {
        let sink = eventSink
        return try PeerConnectionDriver(
            hosts: options.hosts, logger: Logger(label: "steadfast.room.\(role.rawValue)"),
            onEvent: { event in
                switch event {
                case .stateChanged(let state): sink.yield(.connectionState(role, state))
                case .trackAdded(let track): sink.yield(.trackSubscribed(mid: track.mid, trackID: trackNames[track.mid] ?? track.trackID))
                default: break
                }
            },
            onAudio: { mid, frame in sink.yield(.audio(mid: mid, frame)) })
    }

    private func closeMedia() {
        publisher?.stop()
        subscriber?.stop()
        publisher = nil
        subscriber = nil
    }

    private func emit(_ event: RoomEvent) { eventSink.yield(event) }

    private func finish() {
        guard !finished else { return }
        finished = true
        eventSink.finish()
    }
}

/// Which of a participant's two peer connections: the one we publish on, or the one the server
/// sends the others' tracks on.
public enum RoomConnection: String, Sendable {
    case publisher, subscriber
}

/// What a room client reports.
public enum RoomEvent: Sendable {
    case joined(room: String, participantSID: String)
    case trackPublished(sid: String)
    case participantJoined(identity: String, sid: String)
    case participantLeft(sid: String)
    /// A remote audio track arrived on the subscriber connection (`trackID` from the server's mapping).
    case trackSubscribed(mid: String, trackID: String?)
    /// 20 ms of decoded remote audio (48 kHz mono) from the track on `mid`.
    case audio(mid: String, AudioFrame)
    /// One of our two peer connections changed state.
    case connectionState(RoomConnection, PeerConnection.State)
    case error(String)
    case disconnected(String)
}
