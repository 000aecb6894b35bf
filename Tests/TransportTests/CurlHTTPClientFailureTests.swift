import Foundation
import Testing
import TestSupport
@testable import Transport

/// Timeouts, cancellation and broken connections, each reported with its own `HTTPError` code.
@Suite(.timeLimit(.minutes(2))) struct CurlHTTPClientFailureTests {
    private func code(of work: () async throws -> Void) async -> HTTPError.Code? {
        do {
            try await work()
            return nil
        } catch let error as HTTPError {
            return error.code
        } catch {
            return nil
        }
    }

    @Test func firstByteTimeoutWhenServerStallsBeforeHead() async throws {
        try await withTaskExecutorPreference(DedicatedThreadExecutor.shared) {
            let server = try ScriptedHTTPServer(responses: [ScriptedResponse([.stall])])
            let client = try CurlHTTPClient()
            let request = HTTPRequest(method: "GET", url: server.baseURL,
                                      timeouts: HTTPTimeouts(firstByte: .milliseconds(200)))
            let start = ContinuousClock.now
            #expect(await code { _ = try await client.send(request) } == .timeout(.firstByte))
            // The server stalls for ever: only the 200 ms first-byte timeout can end this (loose for CI).
            #expect(ContinuousClock.now - start < .seconds(5))
        }
    }

    @Test func idleTimeoutWhenStreamStallsMidBody() async throws {
        let server = try ScriptedHTTPServer(responses: [ScriptedResponse([
            .head(status: 200, headers: []), .text("data: 1\n\n"), .stall])])
        let client = try CurlHTTPClient()
        let request = HTTPRequest(method: "GET", url: server.baseURL,
                                  timeouts: HTTPTimeouts(firstByte: .seconds(2), idle: .milliseconds(200)))
        let response = try await client.send(request)
        var received: [[UInt8]] = []
        let code = await code { for try await chunk in response.body { received.append(chunk) } }
        #expect(code == .timeout(.idle))
        #expect(received == [Array("data: 1\n\n".utf8)])
    }

    @Test func totalTimeoutCoversASlowButSteadyStream() async throws {
        try await withTaskExecutorPreference(DedicatedThreadExecutor.shared) {
            let server = try ScriptedHTTPServer(responses: [ScriptedResponse([.head(status: 200, headers: [])]
                + Array(repeating: [ScriptedAction.text("tick"), .pause(.milliseconds(50))], count: 200).flatMap { $0 })])
            let client = try CurlHTTPClient()
            let request = HTTPRequest(method: "GET", url: server.baseURL,
                                      timeouts: HTTPTimeouts(idle: .milliseconds(500), total: .milliseconds(300)))
            let start = ContinuousClock.now
            let code = await code { _ = try await client.send(request).collectBody() }
            #expect(code == .timeout(.total))
            // The steady stream (never idle) lasts 10 s: ending well before that is the 300 ms total at work.
            #expect(ContinuousClock.now - start < .seconds(5))
        }
    }

    @Test func refusedConnectionIsConnectFailed() async throws {
        // Bind a port, then close it: nothing listens there for the duration of the test.
        let port = try {
            let server = try ScriptedHTTPServer(responses: [])
            defer { server.stop() }
            return server.port
        }()
        let client = try CurlHTTPClient()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/"))
        #expect(await code { _ = try await client.send(HTTPRequest(method: "GET", url: url)) } == .connectFailed)
    }

    @Test func connectTimeoutCoversAHandshakeThatNeverCompletes() async throws {
        // A TLS ClientHello to the plain-HTTP scripted server is never answered (it waits for a
        // request head), so the connection phase, which includes the TLS handshake, never ends.
        // Reliable offline, unlike a non-routable address.
        let server = try ScriptedHTTPServer(responses: [.json("{}")])
        let client = try CurlHTTPClient()
        let url = try #require(URL(string: "https://127.0.0.1:\(server.port)/"))
        let request = HTTPRequest(method: "GET", url: url, timeouts: HTTPTimeouts(connect: .milliseconds(300)))
        #expect(await code { _ = try await client.send(request) } == .timeout(.connect))
    }

    @Test func unsupportedSchemeIsInvalidRequest() async throws {
        let client = try CurlHTTPClient()
        let url = try #require(URL(string: "ftp://127.0.0.1/file"))
        #expect(await code { _ = try await client.send(HTTPRequest(method: "GET", url: url)) } == .invalidRequest)
    }

    @Test(arguments: [true, false])
    func cutMidBodyIsNetworkError(chunked: Bool) async throws {
        let server = try ScriptedHTTPServer(responses: [ScriptedResponse([
            .head(status: 200, headers: []), .text("partial"), .pause(.milliseconds(50)), .cut,
            .text("never sent")], chunked: chunked)])
        let client = try CurlHTTPClient()
        let response = try await client.send(HTTPRequest(method: "GET", url: server.baseURL))
        #expect(await code { _ = try await response.collectBody() } == .network)
    }

    @Test func cancellingWhileAwaitingSendIsPromptAndClosesTheConnection() async throws {
        try await withTaskExecutorPreference(DedicatedThreadExecutor.shared) {
            let server = try ScriptedHTTPServer(responses: [ScriptedResponse([.stall])])
            let client = try CurlHTTPClient()
            let task = Task(executorPreference: DedicatedThreadExecutor.shared) { try await client.send(HTTPRequest(method: "GET", url: server.baseURL)) }
            try #require(await server.waitForRequests(), "the request never reached the server")
            let start = ContinuousClock.now
            task.cancel()
            let result = await task.result
            let elapsed = ContinuousClock.now - start
            // The server stalls for ever, so only the cancellation can end the call: a bound of seconds
            // (a loaded 2-core machine) still fails if cancelling does not abort the transfer.
            #expect(elapsed < .seconds(3), "cancel took \(elapsed)")
            #expect(await code { _ = try result.get() } == .cancelled)
            #expect(await server.waitForClientClose())
        }
    }

    @Test func cancellingWhileReadingTheBodyIsPromptAndClosesTheConnection() async throws {
        try await withTaskExecutorPreference(DedicatedThreadExecutor.shared) {
            let server = try ScriptedHTTPServer(responses: [ScriptedResponse([
                .head(status: 200, headers: []), .text("data: 1\n\n"), .stall])])
            let client = try CurlHTTPClient()
            let firstChunk = AsyncStream<Void>.makeStream()
            let task = Task(executorPreference: DedicatedThreadExecutor.shared) {
                let response = try await client.send(HTTPRequest(method: "GET", url: server.baseURL))
                for try await _ in response.body { firstChunk.continuation.yield() }
            }
            for await _ in firstChunk.stream { break }
            let start = ContinuousClock.now
            task.cancel()
            let result = await task.result
            let elapsed = ContinuousClock.now - start
            // As above: the body stalls for ever, so only the cancellation ends it.
            #expect(elapsed < .seconds(3), "cancel took \(elapsed)")
            // The consumer was suspended waiting for a chunk, so the cancellation surfaces as an error.
            #expect(await code { try result.get() } == .cancelled)
            #expect(await server.waitForClientClose())
        }
    }

    @Test func droppingAnUnreadBodyAbortsTheTransfer() async throws {
        let server = try ScriptedHTTPServer(responses: [ScriptedResponse([.head(status: 200, headers: []), .stall])])
        let client = try CurlHTTPClient()
        _ = try await client.send(HTTPRequest(method: "GET", url: server.baseURL))
        #expect(await server.waitForClientClose())
    }

    @Test func slowConsumerPausesWithoutLosingData() async throws {
        try await withTaskExecutorPreference(DedicatedThreadExecutor.shared) {
            let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
            let server = try ScriptedHTTPServer(responses: [ScriptedResponse(
                [.head(status: 200, headers: [])] + Array(repeating: ScriptedAction.body(chunk), count: 64))])
            let client = try CurlHTTPClient()
            let response = try await client.send(HTTPRequest(method: "GET", url: server.baseURL,
                                                             timeouts: HTTPTimeouts(idle: .milliseconds(100))))
            var total = 0
            var first = true
            for try await part in response.body {
                total += part.count
                // Let the 1 MiB buffer fill so the transfer pauses; the idle clock must not run meanwhile.
                if first { try await Task.sleep(for: .milliseconds(300)); first = false }
            }
            #expect(total == 64 * chunk.count)
        }
    }
}
