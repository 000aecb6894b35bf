import Foundation
import LiveKitProtocol
import NIOCore
import NIOHTTP1
import SansIO

/// Plain HTTP requests: `/` health, `/rtc/validate`, the 404 for `/rtc/v1`, refused upgrades and
/// Twirp calls. Bodies are bounded; a Twirp call goes to the core and is answered when it replies.
final class ServerHTTPHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    // SAFETY: NIO confines a handler to its channel's event loop; `head` and `body` are touched
    // there only, the rest is immutable and Sendable.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let context: ServerHandlerContext
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var tooLarge = false

    init(context: ServerHandlerContext) { self.context = context }

    func channelRead(context channelContext: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
            body.clear()
            tooLarge = false
        case .body(var chunk):
            if body.readableBytes + chunk.readableBytes > context.configuration.maximumMessageSize {
                tooLarge = true
            } else {
                body.writeBuffer(&chunk)
            }
        case .end:
            guard let request = head else { return }
            head = nil
            answer(request, channelContext: channelContext)
        }
    }

    private func answer(_ request: HTTPRequestHead, channelContext: ChannelHandlerContext) {
        let keepAlive = request.isKeepAlive
        let respond: @Sendable (HTTPResponseStatus, String, Data) -> Void = { [channel = channelContext.channel] status, type, bytes in
            Self.write(status, type: type, body: bytes, keepAlive: keepAlive, to: channel)
        }
        if tooLarge {
            respond(.payloadTooLarge, "application/json", TwirpCodec.encode(.malformed("the body is larger than \(context.configuration.maximumMessageSize) bytes")))
            return
        }
        switch ServerRoute.decide(request, verifier: context.verifier) {
        case .health:
            respond(.ok, "text/plain", Data("OK".utf8))
        case .validate:
            respond(.ok, "text/plain", Data("success".utf8))
        case .signal, .worker:
            respond(.badRequest, "text/plain", Data("this endpoint expects a WebSocket upgrade".utf8))
        case .refuse(let status, let message) where request.uri.hasPrefix("/twirp/"):
            // Twirp clients read the error's code from a JSON body (livekit-api maps it to TwirpError.code).
            let code = status == .unauthorized ? "unauthenticated" : "bad_route"
            respond(status, "application/json", TwirpCodec.encode(TwirpError(code: code, status: Int(status.code), message: message)))
        case .refuse(let status, let message):
            respond(status, "text/plain", Data(message.utf8))
        case .twirp(let service, let method, let grants):
            twirp(service: service, method: method, grants: grants, request: request, channelContext: channelContext,
                  respond: respond)
        }
    }

    private func twirp(service: String, method: String, grants: ClaimGrants, request: HTTPRequestHead,
                       channelContext: ChannelHandlerContext,
                       respond: @escaping @Sendable (HTTPResponseStatus, String, Data) -> Void) {
        guard let encoding = TwirpCodec.Encoding(contentType: request.headers.first(name: "content-type")) else {
            let error = TwirpError.badRoute("Content-Type must be application/protobuf or application/json")
            respond(HTTPResponseStatus(statusCode: error.status), "application/json", TwirpCodec.encode(error))
            return
        }
        let call: APICall
        do {
            call = try TwirpCodec.decode(service: service, method: method, body: Data(body.readableBytesView), encoding: encoding)
        } catch {
            respond(HTTPResponseStatus(statusCode: error.status), "application/json", TwirpCodec.encode(error))
            return
        }
        let promise = channelContext.eventLoop.makePromise(of: APIResult.self)
        let id = context.connections.awaitReply(promise)
        promise.futureResult.whenSuccess { result in
            switch result {
            case .success(let message):
                respond(.ok, encoding.contentType, TwirpCodec.encode(message, encoding: encoding))
            case .failure(let error):
                respond(HTTPResponseStatus(statusCode: error.status), "application/json", TwirpCodec.encode(error))
            }
        }
        if !context.inbox.send(.api(id, call, grants: grants)) {
            context.connections.takeReply(id)?.succeed(.failure(TwirpError(code: "unavailable", status: 503,
                                                                           message: "the server is stopping")))
        }
    }

    static func write(_ status: HTTPResponseStatus, type: String, body: Data, keepAlive: Bool, to channel: any Channel) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: type)
        headers.add(name: "content-length", value: "\(body.count)")
        headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        var response = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        response.headers = headers
        channel.write(HTTPServerResponsePart.head(response), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        let done = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        if !keepAlive { done.whenComplete { _ in channel.close(promise: nil) } }
    }
}

/// What every connection's handlers share: the core's inbox, the connection table, the token verifier.
struct ServerHandlerContext: Sendable {
    let configuration: ServerConfiguration
    let verifier: TokenVerifier
    let inbox: SessionInbox<ServerCore.Input>
    let connections: ServerConnections
}
