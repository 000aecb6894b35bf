import Audio
import Foundation
import LiveKitProtocol
import Logging
import Media
import RTC
import SteadfastConfig
import Synchronization

/// Joins a LiveKit room as one participant: `/rtc` signalling (`SignalCore`) over a WebSocket, a
/// publisher `PeerConnection` we offer on (one Opus microphone track), and a subscriber
/// `PeerConnection` the server offers on (the other participants' audio).
///
/// It joins with signalling protocol 2, as LiveKit's ESP32 SDK does: the publisher connection is
/// the primary one, the server runs full ICE, and it never pushes a data-channel-only offer, which
/// this stack (no SCTP yet) could not accept. Audio out goes through `publish(_:)`, audio in arrives
/// on `audio` (bounded: a slow consumer loses the oldest frames, counted in `stats`), everything
/// else on `events`. The order in which a room handles what happens is `RoomSession`'s; this type
/// only connects the signalling connection (`WebSocketConnectionLoop`) to it.
public final class RoomClient: Sendable {
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

    /// Everything but audio, in the order the session handled it.
    public var events: AsyncStream<RoomEvent> { session.events }
    /// Decoded remote audio, 20 ms per element; the oldest is dropped when the consumer falls behind.
    public var audio: AsyncStream<RoomAudio> { session.audio.stream }
    private let options: Options
    private let logger: Logger
    private let session: RoomSession

    public init(options: Options, logger: Logger = Logger(label: "steadfast.room")) {
        self.options = options
        self.logger = logger
        session = RoomSession(hosts: options.hosts, logger: logger)
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
    /// The signalling connection is the shared `WebSocketConnectionLoop`, with no reconnection: a
    /// room whose signalling is lost ends (the job reports it).
    public func run() async throws {
        let url = try Self.signalComponents(options.url, token: options.token, protocolVersion: options.protocolVersion)
        let session = self.session
        let failure = Mutex<(any Error)?>(nil)
        let connection = WebSocketConnectionLoop(transport: DefaultWebSocketTransport(), policy: .never, logger: logger) { event in
            switch event.kind {
            case .opened: break
            case .frame(let frame): session.inbox.send(.frame(frame))
            case .closed(let closed): failure.withLock { $0 = closed.error }
            }
        }
        async let loop: Void = session.run()
        async let writer: Void = Self.write(session.outgoingFrames, to: connection)
        connection.open(WebSocketRequest(url: url, bearerToken: options.token, maximumFrameSize: 1 << 22))
        await connection.run()
        let error = failure.withLock { $0 }
        session.inbox.send(.signallingClosed(error.map { LiveKitError.connecting(to: LiveKitEndpoint.redacted(options.url), $0) }))
        await loop
        await writer
        if let error { throw error }
    }

    /// Hands the session's frames to the connection; when the session ends signalling (leave, the
    /// server's leave, stale pings), the connection closes after the frames already queued.
    private static func write(_ frames: AsyncStream<Data>, to connection: WebSocketConnectionLoop) async {
        for await frame in frames { connection.send(frame) }
        connection.close()
    }

    /// Queues audio on our microphone track (any length; sent in 20 ms Opus frames).
    public func publish(_ audio: AudioFrame) {
        session.publish(audio)
    }

    /// Sets our participant attributes (merged by the server).
    public func setAttributes(_ attributes: [String: String]) {
        session.inbox.send(.setAttributes(attributes))
    }

    /// Leaves the room: a leave request, then the connections close.
    public func leave() {
        session.inbox.send(.leave)
    }

    /// What the bounded audio buffers dropped so far.
    public var stats: RoomStats { session.stats }
}
