import Foundation
import Logging
import Synchronization
import Testing
@testable import LiveKit

/// The shared connection loop over a scripted transport: which connection is current, what is
/// written before a close, and the reconnect policies.
@Suite("WebSocketConnectionLoop", .timeLimit(.minutes(1)))
struct WebSocketConnectionLoopTests {
    /// Opens at once (or fails with `failure`), records what it writes, and stays up until its
    /// outbound stream finishes or it is cancelled.
    final class ScriptedTransport: WebSocketTransport {
        let written = Mutex<[String]>([])
        let failure: LiveKitError?

        init(failure: LiveKitError? = nil) { self.failure = failure }

        func run(_ request: WebSocketRequest, outbound: AsyncStream<Data>, logger: Logger,
                 opened: @escaping @Sendable () async -> Void, received: @escaping @Sendable (Data) async -> Void) async throws {
            if let failure { throw failure }
            await opened()
            await received(Data("hello \(request.url.path)".utf8))
            for await frame in outbound { written.withLock { $0.append(String(decoding: frame, as: UTF8.self)) } }
            try Task.checkCancellation()
        }
    }

    static let request = WebSocketRequest(url: URLComponents(string: "ws://127.0.0.1:1/agent")!, bearerToken: "t")

    static func make(_ transport: ScriptedTransport, policy: WebSocketConnectionLoop.ReconnectPolicy)
        -> (WebSocketConnectionLoop, AsyncStream<WebSocketConnectionLoop.Event>) {
        let (events, sink) = AsyncStream<WebSocketConnectionLoop.Event>.makeStream()
        let loop = WebSocketConnectionLoop(transport: transport, policy: policy, logger: Logger(label: "test")) { sink.yield($0) }
        return (loop, events)
    }

    static func describe(_ event: WebSocketConnectionLoop.Event) -> String {
        switch event.kind {
        case .opened: "\(event.connection) opened"
        case .frame(let data): "\(event.connection) frame \(String(decoding: data, as: UTF8.self))"
        case .closed(let closed): "\(event.connection) closed: \(closed.reason)\(closed.refusedCredentials ? " (refused)" : "")"
        }
    }

    @Test func aReplacedConnectionIsCancelledAndItsEventsStop() async {
        let transport = ScriptedTransport()
        let (loop, events) = Self.make(transport, policy: .whenOpened)
        let running = Task { await loop.run() }
        var iterator = events.makeAsyncIterator()
        let first = loop.open(Self.request)
        #expect(await iterator.next().map(Self.describe) == "\(first) opened")
        #expect(await iterator.next().map(Self.describe) == "\(first) frame hello /agent")
        let second = loop.open(Self.request)
        #expect(!loop.isCurrent(first) && loop.isCurrent(second))
        // The first connection's end (a cancellation) is not reported: the next event is the second's.
        #expect(await iterator.next().map(Self.describe) == "\(second) opened")
        loop.send(Data("to second".utf8))
        loop.finish(gracefully: true)
        await running.value
        #expect(transport.written.withLock { $0 } == ["to second"])
    }

    @Test func closeWritesWhatIsQueuedAndReportsNothing() async {
        let transport = ScriptedTransport()
        let (loop, events) = Self.make(transport, policy: .whenOpened)
        let running = Task { await loop.run() }
        var iterator = events.makeAsyncIterator()
        let connection = loop.open(Self.request)
        #expect(await iterator.next().map(Self.describe) == "\(connection) opened")
        #expect(await iterator.next().map(Self.describe) == "\(connection) frame hello /agent")
        loop.send(Data("leave".utf8))
        loop.close()
        #expect(!loop.isCurrent(connection))
        loop.send(Data("after close".utf8))
        let next = loop.open(Self.request)
        #expect(await iterator.next().map(Self.describe) == "\(next) opened", "no closed event for the connection we closed")
        loop.finish()
        await running.value
        #expect(transport.written.withLock { $0 } == ["leave"])
    }

    @Test func withNoReconnectionRunEndsWithTheConnectionAndARefusedTokenIsNamed() async {
        let transport = ScriptedTransport(failure: LiveKitError(.upgradeRefused, "LiveKit refused the token (HTTP 401)", httpStatus: 401))
        let (loop, events) = Self.make(transport, policy: .never)
        let running = Task { await loop.run() }
        let connection = loop.open(Self.request)
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next().map(Self.describe) == "\(connection) closed: LiveKit refused the token (HTTP 401) (refused)")
        await running.value
        loop.open(Self.request)
        #expect(!loop.isCurrent(connection + 1), "a finished loop opens nothing")
    }
}
