import Foundation
import Synchronization

/// One client WebSocket on the shared libwebsockets service (`WebSocketService`). Its owner (a
/// `LibWebSocketsTransport.run`) reads `events` in order and queues frames with `enqueue`; the
/// service thread does all libwebsockets work. State shared by both sides sits behind one mutex;
/// the rest is touched by the service thread only.
final class WebSocketConnection: @unchecked Sendable {
    // SAFETY: `shared` is guarded by its mutex; `wsi`, `incoming`, `ending` and `finished` are
    // read and written only on the service thread (WebSocketService's callback and commands).

    enum Event: Sendable {
        case opened
        case message(Data)
        case ended(Ending)
    }

    /// How the connection ended, as the service thread saw it; `LibWebSocketsTransport` words it.
    struct Ending: Sendable {
        /// Whether the WebSocket was up (then a failure is a lost connection, not a refused one).
        var established = false
        /// libwebsockets' text for a failed connection ("HS: ws upgrade response not 101", ...).
        var failure: String?
        /// The HTTP status the server answered the upgrade with, when it was not 101.
        var httpStatus: Int?
        /// The first certificate verification error (`X509_V_ERR_*`).
        var verifyError: Int32?
        /// The close code and reason the server sent (RFC 6455 §5.5.1).
        var closeCode: Int?
        var closeReason: String?
        /// A failure decided on our side (message too large, queue full, time-out, configuration).
        var local: LiveKitError?
    }

    let plan: LiveKitWebSocket.Plan
    /// Extra upgrade request headers, as `name:` (lower case, with the colon lws wants) and value.
    let headers: [(name: String, value: String)]
    let maximumMessageSize: Int
    let maximumQueuedBytes: Int
    let trust: WebSocketTrust?
    let proxy: WebSocketProxy?
    /// Where libwebsockets connects: the resolved address, or the URL's host through a proxy.
    let address: String
    let events: AsyncStream<Event>
    private let sink: AsyncStream<Event>.Continuation

    private struct Shared {
        var queue: [Data] = []
        var head = 0
        var queuedBytes = 0
        var closeRequested = false
        var aborted: LiveKitError?
        var abortRequested = false
        /// Inbound messages delivered but not yet consumed, and whether reading is paused for them.
        var pendingMessages = 0
        var pendingBytes = 0
        var readingPaused = false
        var opened = false
    }

    private let shared = Mutex(Shared())

    // Service thread only.
    var wsi: OpaquePointer?
    var incoming = Data()
    var ending = Ending()
    var finished = false

    /// Reading pauses when this many messages (or bytes) wait for the owner, and resumes below a quarter.
    static let pendingMessageLimit = 1024
    let pendingByteLimit: Int

    init(plan: LiveKitWebSocket.Plan, headers: [String: String], maximumMessageSize: Int, maximumQueuedBytes: Int,
         trust: WebSocketTrust?, proxy: WebSocketProxy?, address: String) {
        self.plan = plan
        self.headers = headers.sorted { $0.key < $1.key }.map { (name: $0.key.lowercased() + ":", value: $0.value) }
        self.maximumMessageSize = maximumMessageSize
        self.maximumQueuedBytes = maximumQueuedBytes
        self.trust = trust
        self.proxy = proxy
        self.address = address
        pendingByteLimit = max(4 * maximumMessageSize, 8 << 20)
        (events, sink) = AsyncStream.makeStream()
    }

    // MARK: Owner side

    /// Queues a frame; fails the connection when the server has stopped reading for too long.
    func enqueue(_ frame: Data) {
        let overflow = shared.withLock { state -> Bool in
            guard !state.closeRequested, !state.abortRequested else { return false }
            if state.queuedBytes + frame.count > maximumQueuedBytes { return true }
            state.queue.append(frame)
            state.queuedBytes += frame.count
            return false
        }
        if overflow {
            abort(LiveKitError(.connectionLost, "\(plan.displayURL) is not reading: more than \(maximumQueuedBytes) bytes "
                               + "wait to be sent, so the connection was closed"))
        } else {
            WebSocketService.shared.submit(.write(self))
        }
    }

    /// Closes after the queued frames are written.
    func finishSending() {
        shared.withLock { $0.closeRequested = true }
        WebSocketService.shared.submit(.write(self))
    }

    /// Ends the connection now; `reason` is what the owner reports (nil: cancelled, no error).
    func abort(_ reason: LiveKitError?) {
        let first = shared.withLock { state -> Bool in
            guard !state.abortRequested else { return false }
            state.abortRequested = true
            state.aborted = reason
            return true
        }
        if first { WebSocketService.shared.submit(.abort(self)) }
    }

    /// The owner handled one message: reading resumes once the backlog is small again.
    func consumed(_ bytes: Int) {
        let resume = shared.withLock { state -> Bool in
            state.pendingMessages -= 1
            state.pendingBytes -= bytes
            guard state.readingPaused, state.pendingMessages <= Self.pendingMessageLimit / 4,
                  state.pendingBytes <= pendingByteLimit / 4 else { return false }
            state.readingPaused = false
            return true
        }
        if resume { WebSocketService.shared.submit(.resume(self)) }
    }

    // MARK: Service thread

    /// The next frame to write, and whether a close should follow once the queue is empty.
    func nextFrame() -> (frame: Data?, moreQueued: Bool, closeRequested: Bool) {
        shared.withLock { state in
            guard state.head < state.queue.count else { return (nil, false, state.closeRequested) }
            let frame = state.queue[state.head]
            state.head += 1
            state.queuedBytes -= frame.count
            if state.head == state.queue.count {
                state.queue.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head >= 1024 {
                state.queue.removeFirst(state.head)
                state.head = 0
            }
            return (frame, state.head < state.queue.count, state.closeRequested)
        }
    }

    var hasQueuedFrames: Bool { shared.withLock { $0.head < $0.queue.count || $0.closeRequested } }

    var abortState: (requested: Bool, reason: LiveKitError?) { shared.withLock { ($0.abortRequested, $0.aborted) } }

    /// Whether the WebSocket came up (the handshake deadline no longer applies).
    var isOpened: Bool { shared.withLock { $0.opened } }

    func deliverOpened() {
        ending.established = true
        shared.withLock { $0.opened = true }
        sink.yield(.opened)
    }

    /// Hands a whole message to the owner; returns whether reading should pause.
    func deliver(_ message: Data) -> Bool {
        let pause = shared.withLock { state -> Bool in
            state.pendingMessages += 1
            state.pendingBytes += message.count
            guard !state.readingPaused, state.pendingMessages >= Self.pendingMessageLimit
                    || state.pendingBytes >= pendingByteLimit else { return false }
            state.readingPaused = true
            return true
        }
        sink.yield(.message(message))
        return pause
    }

    /// The last event; later calls do nothing.
    func finish() {
        guard !finished else { return }
        finished = true
        wsi = nil
        if ending.local == nil { ending.local = abortState.reason }
        sink.yield(.ended(ending))
        sink.finish()
    }
}
