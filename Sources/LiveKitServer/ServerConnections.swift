import NIOCore
import Synchronization

/// The driver's table of open WebSockets and Twirp calls awaiting their answer, shared between the
/// NIO event loops (which add and remove entries) and the core's loop (which writes to them).
final class ServerConnections: Sendable {
    private struct State {
        var nextID: UInt64 = 0
        var channels: [ServerCore.ConnectionID: any Channel] = [:]
        var replies: [ServerCore.RequestID: EventLoopPromise<APIResult>] = [:]
    }

    private let state = Mutex(State())

    func add(_ channel: any Channel) -> ServerCore.ConnectionID {
        state.withLock { state in
            state.nextID += 1
            state.channels[state.nextID] = channel
            return state.nextID
        }
    }

    func remove(_ id: ServerCore.ConnectionID) {
        _ = state.withLock { $0.channels.removeValue(forKey: id) }
    }

    func channel(_ id: ServerCore.ConnectionID) -> (any Channel)? { state.withLock { $0.channels[id] } }

    var allChannels: [any Channel] { state.withLock { Array($0.channels.values) } }

    func awaitReply(_ promise: EventLoopPromise<APIResult>) -> ServerCore.RequestID {
        state.withLock { state in
            state.nextID += 1
            state.replies[state.nextID] = promise
            return state.nextID
        }
    }

    func takeReply(_ id: ServerCore.RequestID) -> EventLoopPromise<APIResult>? {
        state.withLock { $0.replies.removeValue(forKey: id) }
    }

    func takeAllReplies() -> [EventLoopPromise<APIResult>] {
        state.withLock { state in
            defer { state.replies = [:] }
            return Array(state.replies.values)
        }
    }
}
