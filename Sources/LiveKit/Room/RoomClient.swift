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
/// It joins with signalling protocol 17 on the classic two-connection `/rtc` path, as the official
/// SDKs do (the JS SDK and server-sdk-go send 17; the Rust core of the Python SDK sends 18 and falls
/// back to `/rtc` when `/rtc/v1` answers 404): the server makes the subscriber connection primary
/// and offers it at once, with its own `_reliable`/`_lossy` data channels, and our publisher
/// connection carries `_reliable` and `_lossy` from the join. We advertise `client_protocol` 0, so
/// other participants send us RPC as `RpcRequest` packets and streams uncompressed (docs/livekit-data.md).
/// Audio out goes through `publish(_:)`, audio in arrives
/// on `audio` (bounded: a slow consumer loses the oldest frames, counted in `stats`), everything
/// else on `events`. The order in which a room handles what happens is `RoomSession`'s; this type
/// only connects the signalling connection (`WebSocketConnectionLoop`) to it.
public final class RoomClient: Sendable {
    public struct Options: Sendable {
        public var url: URL
        public var token: String
        /// Local addresses to gather host candidates on.
        public var hosts: [String]
        public var protocolVersion = 17

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
    private let rpcHandlers = RpcHandlers()

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
            URLQueryItem(name: "client_protocol", value: "0"),
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
        async let handlers: Void = Self.serve(session.invocations, handlers: rpcHandlers, session: session)
        connection.open(WebSocketRequest(url: url, bearerToken: options.token, maximumFrameSize: 1 << 22))
        await connection.run()
        let error = failure.withLock { $0 }
        session.inbox.send(.signallingClosed(error.map { LiveKitError.connecting(to: LiveKitEndpoint.redacted(options.url), $0) }))
        await loop
        await writer
        await handlers
        if let error { throw error }
    }

    /// Runs each call to a registered method in its own child task and hands the answer to the
    /// session; ends when the session does (then the running handlers are awaited).
    private static func serve(_ invocations: AsyncStream<RpcInvocation>, handlers: RpcHandlers, session: RoomSession) async {
        await withDiscardingTaskGroup { group in
            for await invocation in invocations {
                guard let handler = handlers.withLock({ $0[invocation.method] }) else {
                    session.inbox.send(.data(.respondRpc(requestID: invocation.requestID, .failure(.unsupportedMethod))))
                    continue
                }
                group.addTask {
                    let result: Result<String, RpcError>
                    do { result = .success(try await handler(invocation)) } catch let error as RpcError {
                        result = .failure(error)
                    } catch {
                        result = .failure(.applicationError)
                    }
                    session.inbox.send(.data(.respondRpc(requestID: invocation.requestID, result)))
                }
            }
        }
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

    // MARK: Data

    /// A method another participant can call; the handler's string is the answer, an `RpcError` it
    /// throws reaches the caller as is, any other error as `applicationError`.
    public typealias RpcHandler = @Sendable (RpcInvocation) async throws -> String

    /// Sends a user packet (`destinations` empty: everyone in the room).
    public func sendData(_ payload: Data, topic: String? = nil, to destinations: [String] = [], kind: DataKind = .reliable) {
        session.inbox.send(.data(.sendPacket(payload: payload, topic: topic, destinations: destinations, kind: kind)))
    }

    /// Reads text and byte streams on `topic`; they arrive whole as `.data(.textStream)` /
    /// `.data(.byteStream)` events. Streams on topics nobody reads are dropped, as the SDKs do.
    public func readStreams(topic: String) {
        session.inbox.send(.data(.readTopic(topic)))
    }

    /// Opens a text stream and returns its id; write to it with `writeStream`, end it with `closeStream`.
    /// `senderIdentity` sends on behalf of another participant (an agent does for the user's transcript).
    @discardableResult
    public func openTextStream(topic: String, attributes: [String: String] = [:], to destinations: [String] = [],
                               senderIdentity: String? = nil, id: String = UUID().uuidString) -> String {
        session.inbox.send(.data(.openStream(.init(id: id, topic: topic, attributes: attributes, destinations: destinations,
                                                   senderIdentity: senderIdentity, timestamp: Self.millisecondsNow()))))
        return id
    }

    public func writeStream(_ id: String, text: String) {
        session.inbox.send(.data(.writeStream(id: id, Data(text.utf8))))
    }

    public func closeStream(_ id: String, attributes: [String: String] = [:]) {
        session.inbox.send(.data(.closeStream(id: id, attributes: attributes)))
    }

    /// A whole text in one stream (the SDKs' `sendText`).
    public func sendText(_ text: String, topic: String, attributes: [String: String] = [:], to destinations: [String] = []) {
        let id = UUID().uuidString
        session.inbox.send(.data(.openStream(.init(id: id, topic: topic, attributes: attributes, destinations: destinations,
                                                   totalLength: UInt64(text.utf8.count), timestamp: Self.millisecondsNow()))))
        writeStream(id, text: text)
        closeStream(id)
    }

    /// Bytes in one stream (the SDKs' `sendFile`, from memory).
    public func sendBytes(_ bytes: Data, name: String, topic: String, to destinations: [String] = []) {
        let id = UUID().uuidString
        session.inbox.send(.data(.openStream(.init(id: id, topic: topic, content: .bytes(name: name), destinations: destinations,
                                                   totalLength: UInt64(bytes.count), timestamp: Self.millisecondsNow()))))
        session.inbox.send(.data(.writeStream(id: id, bytes)))
        closeStream(id)
    }

    /// Registers (or replaces) a method other participants can call.
    public func registerRpcMethod(_ method: String, handler: @escaping RpcHandler) {
        rpcHandlers.withLock { $0[method] = handler }
        session.inbox.send(.data(.registerMethod(method)))
    }

    public func unregisterRpcMethod(_ method: String) {
        rpcHandlers.withLock { $0[method] = nil }
        session.inbox.send(.data(.unregisterMethod(method)))
    }

    /// Calls `method` on `destination` and returns its answer. Fails with LiveKit's codes:
    /// `connectionTimeout` (no ack within 7 s), `responseTimeout`, `unsupportedMethod`,
    /// `recipientDisconnected`, or the error the handler sent.
    public func performRpc(destination: String, method: String, payload: String,
                           responseTimeout: Duration = .seconds(15)) async throws(RpcError) -> String {
        let id = UUID().uuidString
        let session = self.session
        let result = await withCheckedContinuation { continuation in
            session.calls.withLock { $0[id] = continuation }
            if !session.inbox.send(.data(.performRpc(id: id, destination: destination, method: method, payload: payload,
                                                     responseTimeout: responseTimeout))) {
                session.calls.withLock { $0.removeValue(forKey: id) }?.resume(returning: .failure(.sendFailed))
            }
        }
        return try result.get()
    }

    static func millisecondsNow() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// The registered RPC handlers, by method: set by the caller's task, read by the serving task.
final class RpcHandlers: Sendable {
    private let handlers = Mutex<[String: RoomClient.RpcHandler]>([:])
    func withLock<T: Sendable>(_ body: (inout [String: RoomClient.RpcHandler]) -> T) -> T { handlers.withLock { body(&$0) } }
}
