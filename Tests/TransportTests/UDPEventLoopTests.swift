import Foundation
import Synchronization
import Testing
import Transport

/// A ping-pong machine: answers every datagram with "pong:<payload>" and fires timers it was given.
private final class PongHandler: UDPEventLoopHandler, @unchecked Sendable {
    // SAFETY: mutated only on the loop thread; the test reads `record` after `stop()`.
    var queue: [UDPTransmit] = []
    var deadline: ContinuousClock.Instant?
    let record = Mutex<(received: [String], timers: Int)>(([], 0))

    func datagramReceived(_ bytes: UnsafeRawBufferPointer, from source: SocketAddress, socketIndex: Int,
                          now: ContinuousClock.Instant) {
        let text = String(decoding: bytes, as: UTF8.self)
        record.withLock { $0.received.append(text) }
        queue.append(UDPTransmit(socketIndex: socketIndex, destination: source, bytes: Array("pong:\(text)".utf8)))
    }

    func nextTransmit(now: ContinuousClock.Instant) -> UDPTransmit? { queue.isEmpty ? nil : queue.removeFirst() }
    func nextDeadline() -> ContinuousClock.Instant? { deadline }
    func timeoutFired(now: ContinuousClock.Instant) {
        deadline = nil
        record.withLock { $0.timers += 1 }
    }
}

/// A handler with nothing to do that counts how often the loop asks for its deadline (once a pass).
private final class CountingHandler: UDPEventLoopHandler, Sendable {
    let deadlineQueries = Atomic<Int>(0)
    func datagramReceived(_ bytes: UnsafeRawBufferPointer, from source: SocketAddress, socketIndex: Int,
                          now: ContinuousClock.Instant) {}
    func nextTransmit(now: ContinuousClock.Instant) -> UDPTransmit? { nil }
    func nextDeadline() -> ContinuousClock.Instant? {
        deadlineQueries.add(1, ordering: .relaxed)
        return nil
    }
    func timeoutFired(now: ContinuousClock.Instant) {}
}

@Suite("UDP event loop", .timeLimit(.minutes(1)))
struct UDPEventLoopTests {
    @Test func answersDatagramsFiresTimersAndRunsPerformedWorkOnItsThread() async throws {
        let loopback = try #require(SocketAddress(host: "127.0.0.1", port: 0))
        let server = try UDPSocket(bindTo: loopback)
        let client = try UDPSocket(bindTo: loopback)
        let handler = PongHandler()
        let loop = try UDPEventLoop(sockets: [server], handler: handler)
        loop.start()
        defer { loop.stop() }

        // A timer set from outside through `perform` fires on the loop thread.
        loop.perform { handler.deadline = .now + .milliseconds(20) }
        for index in 0..<5 { _ = try client.send(Array("ping\(index)".utf8), to: server.localAddress) }

        let batch = UDPReceiveBatch()
        var replies: [String] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while replies.count < 5, ContinuousClock.now < deadline {
            let count = try client.receive(into: batch)
            for index in 0..<count { replies.append(String(decoding: batch.datagram(index), as: UTF8.self)) }
            if count == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        while handler.record.withLock({ $0.timers }) == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        loop.stop()
        #expect(replies.sorted() == (0..<5).map { "pong:ping\($0)" })
        #expect(handler.record.withLock { $0.received.count } == 5)
        #expect(handler.record.withLock { $0.timers } == 1)
    }

    /// Before `stop()` the loop answers and runs performed work; after it (called twice), it does
    /// neither and cannot be restarted, and `stop()` returned: the loop thread really ended.
    @Test func stopIsIdempotentAndStopsPromptly() async throws {
        let loopback = try #require(SocketAddress(host: "127.0.0.1", port: 0))
        let server = try UDPSocket(bindTo: loopback)
        let client = try UDPSocket(bindTo: loopback)
        let handler = PongHandler()
        let loop = try UDPEventLoop(sockets: [server], handler: handler)
        loop.start()
        let ran = Mutex(0)

        // The positive control: a running loop answers and performs.
        loop.perform { ran.withLock { $0 += 1 } }
        _ = try client.send(Array("before".utf8), to: server.localAddress)
        #expect(try await Self.replies(to: client, within: .seconds(10), atLeast: 1) == ["pong:before"])
        #expect(await Self.eventually { ran.withLock { $0 } == 1 })

        let clock = ContinuousClock()
        let elapsed = clock.measure {
            loop.stop()
            loop.stop()
        }
        // A bound for a hung loop, not a speed test: the idle poll has no timeout, so only the
        // wake-up `stop()` writes ends it.
        #expect(elapsed < .seconds(5), "stop() took \(elapsed)")

        // A performed closure after stop never runs on a dead loop thread and never crashes, and a
        // stopped loop neither answers nor starts again.
        loop.perform { ran.withLock { $0 += 1 } }
        loop.start()
        _ = try client.send(Array("after".utf8), to: server.localAddress)
        #expect(try await Self.replies(to: client, within: .milliseconds(500), atLeast: 1).isEmpty)
        #expect(ran.withLock { $0 } == 1)
        #expect(handler.record.withLock { $0.received } == ["before"])
    }

    /// With no deadline and no input the loop sleeps: it does not wake on a fixed period (it used to
    /// every second) to ask the handler again. Idle for 2.5 s, it asks once, when it starts.
    @Test func anIdleLoopWithoutADeadlineDoesNotWakeUp() async throws {
        let loopback = try #require(SocketAddress(host: "127.0.0.1", port: 0))
        let handler = CountingHandler()
        let loop = try UDPEventLoop(sockets: [try UDPSocket(bindTo: loopback)], handler: handler)
        loop.start()
        #expect(await Self.eventually { handler.deadlineQueries.load(ordering: .relaxed) > 0 }, "the loop started")
        try await Task.sleep(for: .milliseconds(2_500))  // the idle time observed, not a synchronisation
        let queries = handler.deadlineQueries.load(ordering: .relaxed)
        loop.stop()
        #expect(queries <= 2, "the idle loop woke up and asked for its deadline \(queries) times")
    }

    /// Replies `client` receives until `atLeast` have arrived or `within` has passed.
    private static func replies(to client: UDPSocket, within limit: Duration, atLeast count: Int) async throws -> [String] {
        let batch = UDPReceiveBatch()
        var replies: [String] = []
        let deadline = ContinuousClock.now + limit
        while replies.count < count, ContinuousClock.now < deadline {
            let received = try client.receive(into: batch)
            for index in 0..<received { replies.append(String(decoding: batch.datagram(index), as: UTF8.self)) }
            if received == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        return replies
    }

    /// Whether `condition` holds within 10 s, checked every 5 ms.
    private static func eventually(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline, (try? await Task.sleep(for: .milliseconds(5))) != nil else { return false }
        }
        return true
    }
}
