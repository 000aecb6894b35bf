import Foundation
import Testing
import TestSupport
@testable import Transport

/// Head-before-body, streaming, request shape, reuse and concurrency, against real loopback sockets.
@Suite(.timeLimit(.minutes(2))) struct CurlHTTPClientStreamingTests {
    @Test func headArrivesBeforeBodyAndChunksStreamAsTheyArrive() async throws {
        try await withTaskExecutorPreference(DedicatedThreadExecutor.shared) {
            let server = try ScriptedHTTPServer(responses: [ScriptedResponse([
                .head(status: 201, headers: [("X-Test", "yes")]),
                .text("first"), .pause(.seconds(2)), .text("second"), .pause(.milliseconds(200)), .text("third"),
            ])])
            let client = try CurlHTTPClient()
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await client.send(HTTPRequest(method: "GET", url: server.baseURL.appending(path: "/s")))
            #expect(response.head.status == 201)
            #expect(response.head.headers["x-test"] == "yes")
            #expect(response.head.httpVersion == "1.1")
            var chunks: [(String, Duration)] = []
            for try await chunk in response.body {
                chunks.append((String(decoding: chunk, as: UTF8.self), clock.now - start))
            }
            #expect(chunks.map(\.0) == ["first", "second", "third"])
            // The first chunk must arrive before the server's 2 s pause ends (it was streamed, not buffered
            // with the rest); the later ones after. The pause is long so a loaded CI machine cannot blur it.
            #expect(chunks[0].1 < .milliseconds(1500))
            #expect(chunks[1].1 >= .seconds(2))
            #expect(chunks[2].1 >= .milliseconds(2200))
        }
    }

    @Test func postBodyAndHeadersReachTheServer() async throws {
        let server = try ScriptedHTTPServer(responses: [.json(#"{"ok":true}"#)])
        let client = try CurlHTTPClient()
        let request = HTTPRequest(method: "POST", url: server.baseURL.appending(path: "/v1/chat"),
                                  headers: ["Authorization": "Bearer sk-test", "Content-Type": "application/json"],
                                  body: Array(#"{"model":"m"}"#.utf8))
        let response = try await client.send(request)
        #expect(String(decoding: try await response.collectBody(), as: UTF8.self) == #"{"ok":true}"#)
        let recorded = try #require(server.requests.first)
        #expect(recorded.method == "POST")
        #expect(recorded.path == "/v1/chat")
        #expect(recorded.header("authorization") == "Bearer sk-test")
        #expect(recorded.header("content-type") == "application/json")
        #expect(recorded.header("expect") == nil)
        #expect(recorded.bodyText == #"{"model":"m"}"#)
    }

    @Test(arguments: ["PUT", "DELETE", "PATCH"])
    func otherMethodsUseCustomRequest(method: String) async throws {
        let server = try ScriptedHTTPServer(responses: [.json("{}")])
        let client = try CurlHTTPClient()
        let body: [UInt8] = method == "DELETE" ? [] : Array("x=1".utf8)
        _ = try await client.send(HTTPRequest(method: method, url: server.baseURL, body: body)).collectBody()
        #expect(server.requests.first?.method == method)
        #expect(server.requests.first?.body == body)
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try ScriptedHTTPServer(responses: [.json(#"{"n":1}"#)])
        let client = try CurlHTTPClient()
        for _ in 0..<5 {
            let response = try await client.send(HTTPRequest(method: "GET", url: server.baseURL))
            #expect(try await response.collectBody() == Array(#"{"n":1}"#.utf8))
        }
        #expect(server.requests.count == 5)
        #expect(server.connectionCount == 1)
    }

    @Test func twoHundredConcurrentRequestsAllComplete() async throws {
        let server = try ScriptedHTTPServer { request in
            ScriptedResponse([.head(status: 200, headers: []), .text("echo:"), .text(request.path)])
        }
        let client = try CurlHTTPClient()
        let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<200 {
                group.addTask {
                    let response = try await client.send(HTTPRequest(method: "GET",
                                                                     url: server.baseURL.appending(path: "/\(index)")))
                    return (index, String(decoding: try await response.collectBody(), as: UTF8.self))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 200)
        #expect((0..<200).allSatisfy { results[$0] == "echo:/\($0)" })
    }

    @Test func interimHeadsAreSkipped() {
        var parser = ResponseHeadParser()
        let lines = ["HTTP/1.1 100 Continue\r\n", "\r\n", "HTTP/2 200\r\n", "content-type: text/event-stream\r\n",
                     "x-long: a\r\n", " b\r\n", "\r\n"]
        var events = lines.map { parser.consume(Array($0.utf8)) }
        #expect(events.removeLast() == .complete(HTTPResponseHead(
            status: 200, headers: ["content-type": "text/event-stream", "x-long": "a b"], httpVersion: "2")))
        #expect(events.allSatisfy { $0 == .needMore })
        #expect(parser.consume(Array("x-trailer: 1\r\n".utf8)) == .needMore)
    }
}
