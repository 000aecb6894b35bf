import Foundation

/// A user data packet (`DataPacket.user`) as it arrived, with the identity the server stamped on it.
public struct ReceivedUserPacket: Sendable, Hashable {
    public var payload: Data
    public var topic: String?
    public var senderIdentity: String
    public var kind: DataKind

    public init(payload: Data, topic: String?, senderIdentity: String, kind: DataKind) {
        self.payload = payload
        self.topic = topic
        self.senderIdentity = senderIdentity
        self.kind = kind
    }
}

/// A legacy chat message (`DataPacket.chat_message`); current frontends send a text stream on `lk.chat`.
public struct ReceivedChatMessage: Sendable, Hashable {
    public var id: String
    public var text: String
    public var senderIdentity: String
    /// Milliseconds since 1970, on the sender's clock.
    public var timestamp: Int64
}

/// An RPC call another participant made to a method we registered. Answer it with
/// `RoomClient`'s handler result (the session does that for registered handlers).
public struct RpcInvocation: Sendable, Hashable {
    public var requestID: String
    public var callerIdentity: String
    public var method: String
    public var payload: String
    public var responseTimeout: Duration
}

/// What the data plane reports to the room, each with who sent it.
public enum RoomDataEvent: Sendable, Hashable {
    case userPacket(ReceivedUserPacket)
    case textStream(ReceivedTextStream)
    case byteStream(ReceivedByteStream)
    case chatMessage(ReceivedChatMessage)
    case rpcInvocation(RpcInvocation)
    /// The outcome of a call we made (`id` is the call's request id).
    case rpcResult(id: String, Result<String, RpcError>)
    /// Input we refused or dropped (a malformed packet, a stream over its limits): one line, nothing else lost.
    case dropped(String)
}
