import Foundation
import LiveKitProtocol
import SansIO

/// LiveKit's data plane for one participant, sans-IO: user packets, data streams, chat and RPC
/// over the `_reliable` and `_lossy` data channels.
///
/// The driver (`RoomSession`) feeds every message that arrives on a data channel and the room's
/// own requests, carries out `pollOutput()` (messages to send on a channel, events for the room),
/// and feeds `.timeout` at `nextDeadline` (RPC acks and responses, idle incoming streams). Stream
/// and call ids come from the driver, so two cores wired back to back on a virtual clock replay
/// exactly.
///
/// RPC follows the SDKs' v1 protocol (client_protocol 0: `RpcRequest`/`RpcAck`/`RpcResponse`
/// packets): a callee acks at once, then answers; a caller fails with `connectionTimeout` when no
/// ack comes within 7 s and with `responseTimeout` when no answer comes within the call's timeout
/// (at least 8 s), as client-sdk-js `performRpc` does.
public struct RoomDataCore: Sendable {
    public enum Input: Sendable {
        /// One message from a data channel.
        case received(Data, kind: DataKind)
        /// A user packet (`topic` nil: none); `destinations` empty: everyone.
        case sendPacket(payload: Data, topic: String?, destinations: [String], kind: DataKind)
        /// Opens an outgoing stream. `senderIdentity` publishes on behalf of another participant
        /// (agents do for the user's transcript); nil: ourselves.
        case openStream(OutgoingStream)
        case writeStream(id: String, Data)
        /// Ends an outgoing stream; `attributes` travel in the trailer.
        case closeStream(id: String, attributes: [String: String])
        /// Read streams on this topic (the SDKs' `registerTextStreamHandler`); others are dropped.
        case readTopic(String)
        case registerMethod(String)
        case unregisterMethod(String)
        case performRpc(id: String, destination: String, method: String, payload: String, responseTimeout: Duration)
        /// The answer of the handler to an invocation this core reported.
        case respondRpc(requestID: String, Result<String, RpcError>)
        case participantLeft(identity: String)
        case timeout
    }

    public enum Output: Sendable, Equatable {
        case send(Data, DataKind)
        case event(RoomDataEvent)
    }

    /// An outgoing stream's header fields.
    public struct OutgoingStream: Sendable, Hashable {
        public var id: String
        public var topic: String
        public var content: DataStreamInfo.Content
        public var attributes: [String: String]
        public var destinations: [String]
        public var senderIdentity: String?
        public var totalLength: UInt64?
        /// Milliseconds since 1970.
        public var timestamp: Int64

        public init(id: String, topic: String, content: DataStreamInfo.Content = .text, attributes: [String: String] = [:],
                    destinations: [String] = [], senderIdentity: String? = nil, totalLength: UInt64? = nil, timestamp: Int64) {
            self.id = id
            self.topic = topic
            self.content = content
            self.attributes = attributes
            self.destinations = destinations
            self.senderIdentity = senderIdentity
            self.totalLength = totalLength
            self.timestamp = timestamp
        }
    }

    public struct Limits: Sendable {
        public var maxIncomingStreams = 32
        public var maxStreamBytes = 1 << 20
        public var streamIdleTimeout: Duration = .seconds(30)
        public var maxOutgoingStreams = 64
        public var maxPendingCalls = 64
        public var maxPendingInvocations = 64
        public init() {}
    }

    /// How long a callee has to ack (client-sdk-js `maxRoundTripLatency`).
    public static let ackTimeout: Duration = .seconds(7)
    /// The shortest response timeout a call gets (client-sdk-js clamps to 8 s).
    public static let minimumResponseTimeout: Duration = .seconds(8)

    private struct PendingCall {
        var destination: String
        var ackDeadline: ContinuousClock.Instant?
        var responseDeadline: ContinuousClock.Instant
    }

    private struct Writing {
        var stream: OutgoingStream
        var nextChunk: UInt64 = 0
    }

    let limits: Limits
    private var reader: DataStreamReader
    private var readTopics: Set<String> = []
    private var methods: Set<String> = []
    private var calls: [String: PendingCall] = [:]
    /// Invocations waiting for their handler, by request id: who called.
    private var invocations: [String: String] = [:]
    private var writing: [String: Writing] = [:]
    private var sequence: UInt32 = 0
    private var outputs: [Output] = []

    public init(limits: Limits = Limits()) {
        self.limits = limits
        reader = DataStreamReader(limits: .init(maxOpenStreams: limits.maxIncomingStreams, maxStreamBytes: limits.maxStreamBytes,
                                                idleTimeout: limits.streamIdleTimeout))
    }

    public var nextDeadline: ContinuousClock.Instant? {
        let callDeadlines = calls.values.flatMap { [$0.ackDeadline, $0.responseDeadline].compactMap { $0 } }
        return (callDeadlines + [reader.nextDeadline].compactMap { $0 }).min()
    }

    /// Calls waiting for an answer, and incoming streams being assembled.
    public var pendingCallCount: Int { calls.count }
    public var openIncomingStreamCount: Int { reader.openCount }

    public mutating func pollOutput() -> Output? { outputs.isEmpty ? nil : outputs.removeFirst() }

    public mutating func handle(_ input: Input, now: ContinuousClock.Instant) {
        switch input {
        case .received(let bytes, let kind):
            receive(bytes, kind: kind, now: now)
        case .sendPacket(let payload, let topic, let destinations, let kind):
            var user = Livekit_UserPacket()
            user.payload = payload
            if let topic { user.topic = topic }
            user.destinationIdentities = destinations
            send(.user(user), kind: kind, destinations: destinations)
        case .openStream(let stream):
            guard writing[stream.id] == nil, writing.count < limits.maxOutgoingStreams else {
                drop("outgoing stream \(stream.id) not opened: it is open already or \(limits.maxOutgoingStreams) streams are")
                return
            }
            writing[stream.id] = Writing(stream: stream)
            let header = DataStreamWriter.header(id: stream.id, topic: stream.topic, content: stream.content,
                                                 attributes: stream.attributes, totalLength: stream.totalLength,
                                                 timestamp: stream.timestamp)
            send(.streamHeader(header), kind: .reliable, destinations: stream.destinations, sender: stream.senderIdentity)
        case .writeStream(let id, let bytes):
            guard var state = writing[id] else {
                drop("a write to outgoing stream \(id), which is not open")
                return
            }
            let isText = state.stream.content == .text
            for chunk in DataStreamWriter.chunks(id: id, bytes: bytes, firstIndex: state.nextChunk, text: isText) {
                send(.streamChunk(chunk), kind: .reliable, destinations: state.stream.destinations, sender: state.stream.senderIdentity)
                state.nextChunk = chunk.chunkIndex + 1
            }
            writing[id] = state
        case .closeStream(let id, let attributes):
            guard let state = writing.removeValue(forKey: id) else { return }
            send(.streamTrailer(DataStreamWriter.trailer(id: id, attributes: attributes)), kind: .reliable,
                 destinations: state.stream.destinations, sender: state.stream.senderIdentity)
        case .readTopic(let topic):
            readTopics.insert(topic)
        case .registerMethod(let method):
            methods.insert(method)
        case .unregisterMethod(let method):
            methods.remove(method)
        case .performRpc(let id, let destination, let method, let payload, let timeout):
            perform(id: id, destination: destination, method: method, payload: payload, timeout: timeout, now: now)
        case .respondRpc(let requestID, let result):
            guard let caller = invocations.removeValue(forKey: requestID) else { return }
            respond(to: requestID, caller: caller, result)
        case .participantLeft(let identity):
            reader.senderLeft(identity)
            for (id, call) in calls where call.destination == identity {
                calls[id] = nil
                outputs.append(.event(.rpcResult(id: id, .failure(.recipientDisconnected))))
            }
        case .timeout:
            fireTimers(now: now)
        }
    }

    // MARK: Receiving

    private mutating func receive(_ bytes: Data, kind: DataKind, now: ContinuousClock.Instant) {
        let packet: Livekit_DataPacket
        do { packet = try DataPacketWire.decode(bytes) } catch {
            drop(error.message)
            return
        }
        var sender = packet.participantIdentity
        switch packet.value {
        case .user(let user):
            if sender.isEmpty { sender = user.participantIdentity }
            outputs.append(.event(.userPacket(ReceivedUserPacket(payload: user.payload, topic: user.hasTopic ? user.topic : nil,
                                                                 senderIdentity: sender, kind: kind))))
        case .chatMessage(let chat):
            outputs.append(.event(.chatMessage(ReceivedChatMessage(id: chat.id, text: chat.message, senderIdentity: sender,
                                                                   timestamp: chat.timestamp))))
        case .rpcRequest(let request):
            invoked(request, caller: sender)
        case .rpcAck(let ack):
            if calls[ack.requestID]?.destination == sender { calls[ack.requestID]?.ackDeadline = nil }
        case .rpcResponse(let response):
            guard let call = calls[response.requestID], call.destination == sender else { return }
            calls[response.requestID] = nil
            let result: Result<String, RpcError> = switch response.value {
            case .payload(let payload): .success(payload)
            case .error(let error): .failure(RpcError(error))
            case .compressedPayload: .failure(RpcError(code: RpcError.applicationError.code,
                                                       message: "a compressed response, which we did not advertise"))
            case nil: .success("")
            }
            outputs.append(.event(.rpcResult(id: response.requestID, result)))
        case .streamHeader(let header):
            if let outcome = reader.header(header, sender: sender, topicIsRead: readTopics.contains(header.topic), now: now) {
                report(outcome)
            }
        case .streamChunk(let chunk):
            if let outcome = reader.chunk(chunk, sender: sender, now: now) { report(outcome) }
        case .streamTrailer(let trailer):
            if let outcome = reader.trailer(trailer, sender: sender) { report(outcome) }
        case .speaker, .sipDtmf, .transcription, .metrics, .encryptedPacket, nil:
            // Legacy transcriptions, speaker updates, DTMF, metrics, E2EE: nothing an agent reads here.
            break
        }
    }

    private mutating func report(_ outcome: DataStreamReader.Outcome) {
        switch outcome {
        case .text(let stream): outputs.append(.event(.textStream(stream)))
        case .bytes(let stream): outputs.append(.event(.byteStream(stream)))
        case .refused(let message): drop(message)
        }
    }

    // MARK: RPC

    private mutating func perform(id: String, destination: String, method: String, payload: String, timeout: Duration,
                                  now: ContinuousClock.Instant) {
        guard payload.utf8.count <= RpcError.maxDataBytes else {
            outputs.append(.event(.rpcResult(id: id, .failure(.requestPayloadTooLarge))))
            return
        }
        guard calls[id] == nil, calls.count < limits.maxPendingCalls else {
            outputs.append(.event(.rpcResult(id: id, .failure(.sendFailed))))
            return
        }
        let effective = max(timeout, Self.minimumResponseTimeout)
        var request = Livekit_RpcRequest()
        request.id = id
        request.method = method
        request.payload = payload
        let parts = effective.components
        request.responseTimeoutMs = UInt32(clamping: parts.seconds * 1_000 + parts.attoseconds / 1_000_000_000_000_000)
        request.version = 1
        calls[id] = PendingCall(destination: destination, ackDeadline: now + Self.ackTimeout, responseDeadline: now + effective)
        send(.rpcRequest(request), kind: .reliable, destinations: [destination])
    }

    private mutating func invoked(_ request: Livekit_RpcRequest, caller: String) {
        var ack = Livekit_RpcAck()
        ack.requestID = request.id
        send(.rpcAck(ack), kind: .reliable, destinations: [caller])
        if request.version != 1 {
            respond(to: request.id, caller: caller, .failure(.unsupportedVersion))
        } else if !methods.contains(request.method) {
            respond(to: request.id, caller: caller, .failure(.unsupportedMethod))
        } else if request.payload.utf8.count > RpcError.maxDataBytes {
            respond(to: request.id, caller: caller, .failure(.requestPayloadTooLarge))
        } else if invocations[request.id] != nil || invocations.count >= limits.maxPendingInvocations {
            respond(to: request.id, caller: caller, .failure(RpcError(code: RpcError.applicationError.code,
                                                                      message: "too many calls in progress")))
        } else {
            invocations[request.id] = caller
            outputs.append(.event(.rpcInvocation(RpcInvocation(
                requestID: request.id, callerIdentity: caller, method: request.method, payload: request.payload,
                responseTimeout: .milliseconds(Int64(request.responseTimeoutMs))))))
        }
    }

    private mutating func respond(to requestID: String, caller: String, _ result: Result<String, RpcError>) {
        var response = Livekit_RpcResponse()
        response.requestID = requestID
        switch result {
        case .success(let payload) where payload.utf8.count > RpcError.maxDataBytes:
            response.error = RpcError.responsePayloadTooLarge.proto
        case .success(let payload):
            response.payload = payload
        case .failure(let error):
            response.error = error.proto
        }
        send(.rpcResponse(response), kind: .reliable, destinations: [caller])
    }

    private mutating func fireTimers(now: ContinuousClock.Instant) {
        for (id, call) in calls {
            if let ack = call.ackDeadline, ack <= now {
                calls[id] = nil
                outputs.append(.event(.rpcResult(id: id, .failure(.connectionTimeout))))
            } else if call.responseDeadline <= now {
                calls[id] = nil
                outputs.append(.event(.rpcResult(id: id, .failure(.responseTimeout))))
            }
        }
        for outcome in reader.expire(now: now) { report(outcome) }
    }

    // MARK: Sending

    private mutating func send(_ value: Livekit_DataPacket.OneOf_Value, kind: DataKind, destinations: [String],
                               sender: String? = nil) {
        if kind == .reliable { sequence &+= 1 }
        outputs.append(.send(DataPacketWire.encode(value, kind: kind, destinations: destinations, senderIdentity: sender,
                                                   sequence: kind == .reliable ? sequence : 0), kind))
    }

    private mutating func drop(_ message: String) { outputs.append(.event(.dropped(message))) }
}

extension RoomDataCore: ProtocolCore {
    public static var timeout: Input { .timeout }
}
