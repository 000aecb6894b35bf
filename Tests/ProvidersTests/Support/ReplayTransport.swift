import Foundation
import TestSupport
import Providers
import Synchronization
import Transport

/// A test-double `HTTPTransport`: records each request and answers with the next scripted reply,
/// splitting bodies into random small chunks so decoders see every possible split.
final class ReplayTransport: HTTPTransport {
    enum Reply: Sendable {
        case respond(status: Int, headers: HTTPHeaders, body: String)
        /// A binary body (raw PCM), split like any other.
        case binary(status: Int, headers: HTTPHeaders, body: [UInt8])
        /// Sends `body`, then keeps the stream open until the consumer goes away.
        case stallAfter(String)
        case fail(HTTPError)

        static func sse(_ body: String) -> Reply { .respond(status: 200, headers: ["Content-Type": "text/event-stream"], body: body) }
        static func json(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> Reply {
            var all = headers
            all.set("Content-Type", "application/json")
            return .respond(status: status, headers: all, body: body)
        }
    }

    private struct State {
        var replies: [Reply]
        var requests: [HTTPRequest] = []
        var stallsTerminated = 0
        var random: SplitMix64
    }

    private let state: Mutex<State>

    init(_ replies: [Reply], seed: UInt64 = 0x5EED) {
        state = Mutex(State(replies: replies, random: SplitMix64(seed: seed)))
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }
    var stallsTerminated: Int { state.withLock { $0.stallsTerminated } }

    /// The JSON body of request `index` (the last one by default).
    func body(_ index: Int? = nil) -> JSONValue {
        let requests = self.requests
        guard let request = requests[safe: index ?? requests.count - 1] else { return .null }
        return JSONValue(parsing: String(decoding: request.body, as: UTF8.self)) ?? .null
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (reply, chunks): (Reply?, [[UInt8]]) = state.withLock { state in
            state.requests.append(request)
            guard !state.replies.isEmpty else { return (nil, []) }
            let reply = state.replies.removeFirst()
            var bytes: [UInt8] = []
            switch reply {
            case .respond(_, _, let body): bytes = Array(body.utf8)
            case .binary(_, _, let body): bytes = body
            case .stallAfter(let body): bytes = Array(body.utf8)
            case .fail: break
            }
            return (reply, Self.split(bytes, random: &state.random))
        }
        switch reply {
        case nil:
            throw HTTPError(.connectFailed, "no scripted reply left")
        case .fail(let error)?:
            throw error
        case .respond(let status, let headers, _)?, .binary(let status, let headers, _)?:
            return HTTPResponse(head: HTTPResponseHead(status: status, headers: headers), body: AsyncThrowingStream { continuation in
                for chunk in chunks { continuation.yield(chunk) }
                continuation.finish()
            })
        case .stallAfter?:
            return HTTPResponse(head: HTTPResponseHead(status: 200, headers: ["Content-Type": "text/event-stream"]),
                                body: AsyncThrowingStream { continuation in
                for chunk in chunks { continuation.yield(chunk) }
                continuation.onTermination = { [weak self] _ in self?.state.withLock { $0.stallsTerminated += 1 } }
            })
        }
    }

    /// Pieces of 1 to 17 bytes: small enough to split UTF-8 sequences, CRLFs and JSON tokens.
    private static func split(_ bytes: [UInt8], random: inout SplitMix64) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            let size = Int(random.next() % 17) + 1
            let end = min(bytes.count, start + size)
            chunks.append(Array(bytes[start..<end]))
            start = end
        }
        return chunks
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
