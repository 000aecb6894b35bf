import Foundation
import Logging
import Synchronization

/// The one WebSocket connection loop of the worker (`/agent`) and the room (`/rtc`): it opens a
/// connection when its owner asks, pumps frames both ways through a `WebSocketTransport`, reports
/// what happened as events tagged with the connection they belong to, and serves one connection
/// at a time. What to do after a connection ends is the owner's `ReconnectPolicy`.
///
/// Events go to one synchronous sink, meant to be the owner's `SessionInbox`, so the owner's single
/// loop sees connection events in order with its other inputs. Events of a connection the owner
/// has since closed or replaced are dropped here, and `isCurrent(_:)` lets the owner drop those
/// already queued.
///
/// The room adopts it like this (the worker's `WorkerDriver` is the complete example):
/// ```swift
/// let inbox = SessionInbox<Input>()
/// let loop = WebSocketConnectionLoop(transport: DefaultWebSocketTransport(), policy: .never, logger: logger) {
///     inbox.send(.connection($0))
/// }
/// await withTaskGroup(of: Void.self) { group in
///     group.addTask { await loop.run() }          // returns when the signalling connection ends
///     loop.open(WebSocketRequest(url: signalURL, bearerToken: token, maximumFrameSize: 1 << 22))
///     // one loop: inbox.next(deadline: core.nextDeadline); .opened → (nothing), .frame(d) →
///     // core.handle(.frame(d)), .closed(c) → the room ends with c.reason; `.send(d)` → loop.send(d);
///     // leave → loop.close() (queued frames, such as the leave request, are written first)
///     loop.finish()
/// }
/// ```
public final class WebSocketConnectionLoop: Sendable {
    /// What happens after a connection ends.
    public enum ReconnectPolicy: Sendable, Equatable {
        /// One connection: when it ends, `run()` returns (a room: lost signalling ends the job).
        case never
        /// The owner decides when to reconnect (the worker's core, with LiveKit's backoff on its own
        /// clock) and calls `open(_:)` again; `run()` serves connections until `finish()`.
        case whenOpened
    }

    public struct Event: Sendable {
        public enum Kind: Sendable {
            /// The WebSocket is up; frames flow.
            case opened
            /// One inbound binary frame.
            case frame(Data)
            case closed(Closed)
        }

        /// The connection it belongs to (the number `open(_:)` returned).
        public let connection: Int
        public let kind: Kind
    }

    /// Why a connection ended.
    public struct Closed: Sendable {
        /// One line naming the cause (refused, DNS, TLS, a refused token), never a library dump.
        public let reason: String
        /// The failure; nil when the server closed the WebSocket cleanly.
        public let error: (any Error)?

        /// The server refused the credentials (HTTP 401 or 403): no retry can fix that.
        public var refusedCredentials: Bool {
            guard let status = (error as? LiveKitError)?.httpStatus else { return false }
            return status == 401 || status == 403
        }
    }

    private struct Opening: Sendable {
        let id: Int
        let request: WebSocketRequest
        let outbound: AsyncStream<Data>
    }

    private struct State {
        var current = 0
        /// Frames for the current connection; nil when there is none.
        var outbound: AsyncStream<Data>.Continuation?
        /// The connection being served. A task of its own so that replacing or closing it does not
        /// cancel `run()`; `run()` awaits it, and `open`, `finish` and cancellation cancel it.
        var task: Task<Void, Never>?
        var finished = false
    }

    public let policy: ReconnectPolicy
    private let transport: any WebSocketTransport
    private let logger: Logger
    private let onEvent: @Sendable (Event) -> Void
    private let state = Mutex(State())
    private let openings: AsyncStream<Opening>
    private let openingSink: AsyncStream<Opening>.Continuation

    public init(transport: any WebSocketTransport, policy: ReconnectPolicy, logger: Logger,
                onEvent: @escaping @Sendable (Event) -> Void) {
        self.transport = transport
        self.policy = policy
        self.logger = logger
        self.onEvent = onEvent
        (openings, openingSink) = AsyncStream.makeStream()
    }

    /// Opens a new connection, replacing (and cancelling) the current one; returns its number.
    @discardableResult
    public func open(_ request: WebSocketRequest) -> Int {
        let (outbound, sink) = AsyncStream<Data>.makeStream()
        let (id, previous): (Int, Task<Void, Never>?) = state.withLock { state in
            state.current += 1
            state.outbound?.finish()
            state.outbound = sink
            let previous = state.task
            state.task = nil
            return (state.current, previous)
        }
        previous?.cancel()
        openingSink.yield(Opening(id: id, request: request, outbound: outbound))
        return id
    }

    /// Queues a frame on the current connection (dropped when there is none).
    public func send(_ frame: Data) {
        state.withLock { state in _ = state.outbound?.yield(frame) }
    }

    /// Closes the current connection after the frames queued on it; its events stop here.
    public func close() {
        state.withLock { state in
            state.current += 1
            state.outbound?.finish()
            state.outbound = nil
        }
    }

    /// Whether `connection` is still the current one (events queued before a close or a newer
    /// `open` are stale).
    public func isCurrent(_ connection: Int) -> Bool {
        state.withLock { !$0.finished && $0.current == connection }
    }

    /// Ends `run()`; no new connection opens. `gracefully`: the current connection writes the frames
    /// queued on it and closes (a drained worker's last status reports must reach the server);
    /// otherwise it is cancelled.
    public func finish(gracefully: Bool = false) {
        let task: Task<Void, Never>? = state.withLock { state in
            state.finished = true
            state.outbound?.finish()
            state.outbound = nil
            defer { if !gracefully { state.task = nil } }
            return gracefully ? nil : state.task
        }
        task?.cancel()
        openingSink.finish()
    }

    /// Serves connections, one at a time, until `finish()` (or, with `.never`, until the first
    /// connection ends) or cancellation.
    public func run() async {
        await withTaskCancellationHandler {
            for await opening in openings {
                // Detached so the connection does not inherit the process's graceful-shutdown context:
                // swift-websocket closes its WebSockets when a ServiceGroup shuts down, but a draining
                // worker must keep its connection to report its jobs. The owner decides when to close.
                let task = Task.detached { await self.serve(opening) }
                let current = state.withLock { state -> Bool in
                    guard !state.finished, state.current == opening.id else { return false }
                    state.task = task
                    return true
                }
                if !current { task.cancel() }
                await task.value
                if policy == .never { break }
            }
        } onCancel: {
            finish()
        }
        finish(gracefully: true)
    }

    private func serve(_ opening: Opening) async {
        let id = opening.id
        do {
            try await transport.run(opening.request, outbound: opening.outbound, logger: logger,
                                    opened: { self.deliver(id, .opened) },
                                    received: { self.deliver(id, .frame($0)) })
            deliver(id, .closed(Closed(reason: "the server closed the connection", error: nil)))
        } catch {
            if let underlying = (error as? LiveKitError)?.underlying {
                logger.debug("WebSocket connection failed", metadata: ["error": "\(underlying)"])
            }
            deliver(id, .closed(Closed(reason: "\(error)", error: error)))
        }
    }

    private func deliver(_ id: Int, _ kind: Event.Kind) {
        let current = state.withLock { state -> Bool in
            guard !state.finished, state.current == id else { return false }
            if case .closed = kind { state.outbound = nil }
            return true
        }
        if current { onEvent(Event(connection: id, kind: kind)) }
    }
}
