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

@Suite("UDP event loop")
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

    @Test func stopIsIdempotentAndStopsPromptly() throws {
        let socket = try UDPSocket(bindTo: try #require(SocketAddress(host: "127.0.0.1", port: 0)))
        let loop = try UDPEventLoop(sockets: [socket], handler: PongHandler())
        loop.start()
        loop.stop()
        loop.stop()
        // A performed closure after stop never runs on a dead loop thread and never crashes.
        loop.perform {}
    }
}
