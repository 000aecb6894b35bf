import COpenSSL
import CShims
import CWebSockets
import Foundation
import Logging
import Synchronization

/// The process's one libwebsockets context and its one service thread; every client WebSocket
/// (`WebSocketConnection`) lives on it. libwebsockets is not thread-safe except for
/// `lws_cancel_service`, so other threads only queue `Command`s and call that; the service thread
/// runs them from `LWS_CALLBACK_EVENT_WAIT_CANCELLED`, and writes happen in the writeable callback
/// (libwebsockets' documented pattern, lws-service.h and READMEs/README.coding.md, v4.1).
///
/// A vhost per distinct (trust, proxy) pair carries the connections: a vhost has one client
/// `SSL_CTX` (ours, so the trust is exactly `WebSocketTrust`) and one proxy setting.
final class WebSocketService: @unchecked Sendable {
    // SAFETY: `commands` is guarded by its mutex; `vhosts`, `live` and the write buffer are used on
    // the service thread only; `context` is immutable after init.

    enum Command: Sendable {
        case open(WebSocketConnection)
        case write(WebSocketConnection)
        case abort(WebSocketConnection)
        case resume(WebSocketConnection)
    }

    static let shared = WebSocketService()

    private static let logger = Logger(label: "steadfast.websocket")
    nonisolated(unsafe) private static let protocolName = strdup("steadfast-ws")!

    private let context: OpaquePointer
    /// Our one protocol (and its terminator), for every vhost; never freed.
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private let commands = Mutex<[Command]>([])

    private struct VhostKey: Hashable {
        var trust: WebSocketTrust?
        var proxy: String?
    }

    private var vhosts: [VhostKey: OpaquePointer] = [:]
    private var live: [ObjectIdentifier: WebSocketConnection] = [:]
    private var writeBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 64 << 10)
    private var writeCapacity = 64 << 10

    private init() {
        // Errors and warnings only, at debug level: every failure reaches the user as one line of ours.
        lws_set_log_level(1 | 2) { _, line in
            guard let line else { return }
            WebSocketService.logger.debug("libwebsockets", metadata: [
                "line": "\(String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines))"])
        }
        protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        protocols[0].name = UnsafePointer(Self.protocolName)
        protocols[0].callback = { wsi, reason, user, input, length in
            WebSocketService.callback(wsi, reason, user, input, length)
        }
        var info = lws_context_creation_info()
        info.port = steadfast_CONTEXT_PORT_NO_LISTEN
        info.protocols = UnsafePointer(protocols)
        info.gid = -1
        info.uid = -1
        // The global OpenSSL set-up (it registers the index the verify callback finds its connection by).
        info.options = steadfast_LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT
        // The default vhost only receives the wake-ups: an empty client context, no system bundle.
        info.provided_client_ssl_ctx = SSL_CTX_new(TLS_client_method())
        info.http_proxy_address = UnsafePointer(strdup(""))  // not $http_proxy: proxies are chosen per connection
        info.vhost_name = UnsafePointer(strdup("steadfast-wake"))
        info.timeout_secs = 20          // each handshake stage (proxy reply, TLS, HTTP upgrade)
        info.connect_timeout_secs = 15  // the TCP connect
        info.max_http_header_data = 8192
        info.pt_serv_buf_size = 16 << 10
        info.count_threads = 1
        info.fd_limit_per_thread = 512
        guard let context = lws_create_context(&info) else {
            fatalError("libwebsockets could not create its context (out of memory or file descriptors)")
        }
        self.context = context
        let handle = UInt(bitPattern: context)  // the context is only ever used by this thread from here on
        let thread = Thread {
            let context = OpaquePointer(bitPattern: handle)
            while true { _ = lws_service(context, 0) }
        }
        thread.name = "steadfast.websocket"
        thread.start()
    }

    /// Queues `command` for the service thread and wakes it.
    func submit(_ command: Command) {
        commands.withLock { $0.append(command) }
        lws_cancel_service(context)
    }

    // MARK: Service thread

    private static func connection(_ wsi: OpaquePointer?) -> WebSocketConnection? {
        guard let wsi, let pointer = lws_get_opaque_user_data(wsi) else { return nil }
        return Unmanaged<WebSocketConnection>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// libwebsockets' protocol callback. Reasons that arrive while the context is being created
    /// return before touching `shared` (which is still being initialised then).
    private static func callback(_ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
                                 _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            shared.runCommands()
            return 0
        case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
            // user: the X509_STORE_CTX; length: OpenSSL's preverify_ok. Keep the first complaint.
            if length == 0, let connection = connection(wsi), connection.ending.verifyError == nil, let user {
                connection.ending.verifyError = X509_STORE_CTX_get_error(OpaquePointer(user))
            }
            return 0
        case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
            guard let connection = connection(wsi), let input else { return 0 }
            let cursor = input.assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self)
            guard let start = cursor.pointee else { return -1 }
            let end = start + length
            for header in connection.headers {
                let added = header.name.withCString { name in
                    header.value.withCString { value in
                        lws_add_http_header_by_name(wsi, UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self),
                                                    UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self),
                                                    Int32(strlen(value)), cursor, end)
                    }
                }
                if added != 0 {
                    connection.ending.local = LiveKitError(.connectionLost, "the upgrade request to "
                                                           + "\(connection.plan.displayURL) has headers too large to send")
                    return -1
                }
            }
            return 0
        case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
            // The upgrade's answer, before libwebsockets checks it is a 101.
            if let connection = connection(wsi) {
                let status = Int(lws_http_client_http_response(wsi))
                if status != 101, status != 0 { connection.ending.httpStatus = status }
            }
            return 0
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            guard let connection = connection(wsi) else { return -1 }
            connection.deliverOpened()
            if connection.hasQueuedFrames { _ = lws_callback_on_writable(wsi) }
            return 0
        case LWS_CALLBACK_CLIENT_RECEIVE:
            guard let connection = connection(wsi) else { return -1 }
            return shared.receive(connection, wsi: wsi, input, length)
        case LWS_CALLBACK_CLIENT_WRITEABLE:
            guard let connection = connection(wsi) else { return -1 }
            return shared.write(connection, wsi: wsi)
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            // RFC 6455 §5.5.1: a two-byte status code, then a UTF-8 reason.
            if let connection = connection(wsi), let input, length >= 2 {
                let bytes = UnsafeRawBufferPointer(start: input, count: length)
                connection.ending.closeCode = Int(bytes[0]) << 8 | Int(bytes[1])
                let reason = String(decoding: bytes.dropFirst(2).prefix(123), as: UTF8.self)
                connection.ending.closeReason = reason.isEmpty ? nil : reason
            }
            return 0
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            if let connection = connection(wsi) {
                if let input, length > 0 {
                    let text = String(decoding: UnsafeRawBufferPointer(start: input, count: length), as: UTF8.self)
                    connection.ending.failure = text.trimmingCharacters(in: CharacterSet(charactersIn: "\0"))
                } else if let input {
                    connection.ending.failure = String(cString: input.assumingMemoryBound(to: CChar.self))
                }
                shared.finish(connection, wsi: wsi)
            }
            return 0
        case LWS_CALLBACK_CLIENT_CLOSED, LWS_CALLBACK_WSI_DESTROY:
            if let connection = connection(wsi) { shared.finish(connection, wsi: wsi) }
            return 0
        default:
            return 0
        }
    }

    private func runCommands() {
        let batch = commands.withLock { queued -> [Command] in
            defer { queued.removeAll(keepingCapacity: true) }
            return queued
        }
        for command in batch {
            switch command {
            case .open(let connection): open(connection)
            case .write(let connection):
                if let wsi = connection.wsi, connection.ending.established { _ = lws_callback_on_writable(wsi) }
            case .abort(let connection):
                guard !connection.finished else { continue }
                if let wsi = connection.wsi {
                    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, steadfast_LWS_TO_KILL_ASYNC)
                } else {
                    finish(connection, wsi: nil)
                }
            case .resume(let connection):
                if let wsi = connection.wsi { _ = lws_rx_flow_control(wsi, 1) }
            }
        }
    }

    private func open(_ connection: WebSocketConnection) {
        if connection.abortState.requested {
            finish(connection, wsi: nil)
            return
        }
        let vhost: OpaquePointer
        switch self.vhost(for: connection) {
        case .success(let found): vhost = found
        case .failure(let error):
            connection.ending.local = error
            finish(connection, wsi: nil)
            return
        }
        live[ObjectIdentifier(connection)] = connection
        let plan = connection.plan
        let address = strdup(connection.address), path = strdup(plan.target), host = strdup(plan.hostHeader)
        defer { free(address); free(path); free(host) }
        var info = lws_client_connect_info()
        info.context = context
        info.vhost = vhost
        info.address = UnsafePointer(address)
        info.port = Int32(plan.port)
        info.ssl_connection = plan.usesTLS ? Int32(LCCSCF_USE_SSL.rawValue) : 0
        info.path = UnsafePointer(path)
        info.host = UnsafePointer(host)
        info.ietf_version_or_minus_one = -1
        info.local_protocol_name = UnsafePointer(Self.protocolName)
        info.opaque_user_data = Unmanaged.passUnretained(connection).toOpaque()
        let wsi = lws_client_connect_via_info(&info)
        if connection.finished { return }  // it failed inside the call (and was finished there)
        guard let wsi else {
            connection.ending.failure = connection.ending.failure ?? "libwebsockets could not start the connection"
            finish(connection, wsi: nil)
            return
        }
        connection.wsi = wsi
    }

    private func vhost(for connection: WebSocketConnection) -> Result<OpaquePointer, LiveKitError> {
        let key = VhostKey(trust: connection.plan.usesTLS ? connection.trust ?? WebSocketTrust() : nil,
                           proxy: connection.proxy?.lwsAddress)
        if let vhost = vhosts[key] { return .success(vhost) }
        var info = lws_context_creation_info()
        info.port = steadfast_CONTEXT_PORT_NO_LISTEN
        info.protocols = UnsafePointer(protocols)
        info.gid = -1
        info.uid = -1
        // Kept for the vhost's life (the process's): libwebsockets keeps the name pointer.
        info.vhost_name = UnsafePointer(strdup("steadfast-\(vhosts.count)"))
        let proxy = strdup(key.proxy ?? "")
        defer { free(proxy) }
        info.http_proxy_address = UnsafePointer(proxy)
        if let trust = key.trust {
            switch trust.makeContext() {
            case .success(let sslContext):
                info.options = steadfast_LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT
                info.provided_client_ssl_ctx = sslContext
            case .failure(let error):
                return .failure(error)
            }
        }
        guard let vhost = lws_create_vhost(context, &info) else {
            return .failure(LiveKitError(.connectionLost, "libwebsockets could not set up a client for "
                                         + "\(connection.plan.displayURL)"))
        }
        vhosts[key] = vhost
        return .success(vhost)
    }

    private func receive(_ connection: WebSocketConnection, wsi: OpaquePointer?, _ input: UnsafeMutableRawPointer?,
                         _ length: Int) -> Int32 {
        if connection.incoming.count + length > connection.maximumMessageSize {
            connection.ending.local = LiveKitError(
                .connectionLost, "\(connection.plan.displayURL) sent a message larger than the \(connection.maximumMessageSize)-byte "
                    + "limit, so the connection was closed (close code 1009)")
            lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, nil, 0)
            return -1
        }
        if let input, length > 0 { connection.incoming.append(input.assumingMemoryBound(to: UInt8.self), count: length) }
        guard lws_is_final_fragment(wsi) != 0, lws_remaining_packet_payload(wsi) == 0 else { return 0 }
        let message = connection.incoming
        connection.incoming = Data()
        // LiveKit's signalling is binary protobuf; a text message is not ours to interpret.
        guard lws_frame_is_binary(wsi) != 0 else { return 0 }
        if connection.deliver(message) { _ = lws_rx_flow_control(wsi, 0) }
        return 0
    }

    private func write(_ connection: WebSocketConnection, wsi: OpaquePointer?) -> Int32 {
        let next = connection.nextFrame()
        guard let frame = next.frame else {
            if next.closeRequested {
                lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, nil, 0)
                return -1
            }
            return 0
        }
        let headroom = Int(steadfast_LWS_PRE)
        if headroom + frame.count > writeCapacity {
            writeBuffer.deallocate()
            writeCapacity = headroom + frame.count
            writeBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: writeCapacity)
        }
        frame.copyBytes(to: writeBuffer + headroom, count: frame.count)
        guard lws_write(wsi, writeBuffer + headroom, frame.count, LWS_WRITE_BINARY) >= 0 else { return -1 }
        if next.moreQueued || next.closeRequested { _ = lws_callback_on_writable(wsi) }
        return 0
    }

    private func finish(_ connection: WebSocketConnection, wsi: OpaquePointer?) {
        if let wsi { lws_set_opaque_user_data(wsi, nil) }
        if let other = connection.wsi, other != wsi { lws_set_opaque_user_data(other, nil) }
        connection.finish()
        live[ObjectIdentifier(connection)] = nil
    }
}
