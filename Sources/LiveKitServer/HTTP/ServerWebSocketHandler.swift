import Foundation
import NIOCore
import NIOWebSocket

/// One upgraded `/rtc` or `/agent` WebSocket (RFC 6455): binary messages go to the core in order,
/// pings are answered, a close is echoed, and anything else is reported and dropped.
final class ServerWebSocketHandler: ChannelInboundHandler, @unchecked Sendable {
    // SAFETY: NIO confines a handler to its channel's event loop; `id` is set in handlerAdded and
    // read there only.
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    enum Kind: Sendable {
        case signal(SignalJoin)
        case worker
    }

    private let kind: Kind
    private let context: ServerHandlerContext
    private var id: ServerCore.ConnectionID?

    init(kind: Kind, context: ServerHandlerContext) {
        self.kind = kind
        self.context = context
    }

    func handlerAdded(context channelContext: ChannelHandlerContext) {
        let id = context.connections.add(channelContext.channel)
        self.id = id
        switch kind {
        case .signal(let join): context.inbox.send(.signalOpened(id, join))
        case .worker: context.inbox.send(.workerOpened(id))
        }
    }

    func channelInactive(context channelContext: ChannelHandlerContext) {
        closed()
        channelContext.fireChannelInactive()
    }

    func handlerRemoved(context channelContext: ChannelHandlerContext) { closed() }

    private func closed() {
        guard let id else { return }
        self.id = nil
        context.connections.remove(id)
        switch kind {
        case .signal: context.inbox.send(.signalClosed(id))
        case .worker: context.inbox.send(.workerClosed(id))
        }
    }

    func channelRead(context channelContext: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let id else { return }
        switch frame.opcode {
        case .binary:
            let bytes = Data(frame.unmaskedData.readableBytesView)
            switch kind {
            case .signal: context.inbox.send(.signalFrame(id, bytes))
            case .worker: context.inbox.send(.workerFrame(id, bytes))
            }
        case .text:
            // LiveKit's SDKs send binary protobuf; a JSON text frame is refused rather than half-supported.
            context.inbox.send(.refusedFrame(id, reason: "a text frame (only binary protobuf is accepted)"))
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            channelContext.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var data = channelContext.channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: .normalClosure)
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
            channelContext.writeAndFlush(wrapOutboundOut(close)).whenComplete { [channel = channelContext.channel] _ in
                channel.close(promise: nil)
            }
        default:
            break
        }
    }

    func errorCaught(context channelContext: ChannelHandlerContext, error: any Error) {
        // A protocol error (oversized or malformed frame): NIO's error handler answered; close.
        channelContext.close(promise: nil)
    }
}
