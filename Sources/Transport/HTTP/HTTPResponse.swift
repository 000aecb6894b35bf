/// Status line and headers, delivered before any body byte.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    /// "1.1" or "2".
    public var httpVersion: String

    public init(status: Int, headers: HTTPHeaders, httpVersion: String = "1.1") {
        self.status = status
        self.headers = headers
        self.httpVersion = httpVersion
    }
}

/// A response whose body streams in as it arrives. The body stream finishes when the transfer
/// completes and throws an `HTTPError` when it fails (idle timeout, connection cut, cancellation).
/// Cancelling the consuming task aborts the transfer.
public struct HTTPResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: AsyncThrowingStream<[UInt8], any Error>

    public init(head: HTTPResponseHead, body: AsyncThrowingStream<[UInt8], any Error>) {
        self.head = head
        self.body = body
    }

    /// Collects the whole body (for small JSON responses and error bodies), up to `limit` bytes.
    public func collectBody(limit: Int = 1 << 20) async throws -> [UInt8] {
        var collected: [UInt8] = []
        for try await chunk in body {
            collected += chunk.prefix(max(0, limit - collected.count))
            if collected.count >= limit { break }
        }
        return collected
    }
}

/// Anything that can carry an `HTTPRequest`: the libcurl client in production, a scripted
/// double in unit tests of a single layer.
///
/// A test double only needs to return a head and a body stream:
///
///     struct Canned: HTTPTransport {
///         func send(_ request: HTTPRequest) async throws -> HTTPResponse {
///             HTTPResponse(head: .init(status: 200, headers: [:]),
///                          body: AsyncThrowingStream { $0.yield(Array("data: {}\n\n".utf8)); $0.finish() })
///         }
///     }
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns once the response head has arrived. Throws `HTTPError` for
    /// failures before that point (connect, TLS, first-byte timeout, cancellation).
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
