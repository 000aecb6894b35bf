/// What a `ScriptedHTTPServer` does for one request, step by step. Lets tests reproduce every
/// provider failure on real loopback sockets: errors, slow starts, stalls and cuts mid-stream.
public enum ScriptedAction: Sendable {
    /// Sends the status line and headers. Must come first (unless the script is `.cut`/`.stall` only).
    case head(status: Int, headers: [(String, String)])
    /// Sends body bytes (as one HTTP/1.1 chunk when the response is chunked).
    case body([UInt8])
    /// Waits before the next action.
    case pause(Duration)
    /// Stops sending but keeps the connection open until the client gives up or the server stops.
    case stall
    /// Closes the TCP connection abruptly, without finishing the body.
    case cut

    public static func text(_ string: String) -> ScriptedAction { .body(Array(string.utf8)) }
}

/// The scripted reply to one request. Chunked transfer encoding unless `contentLength` framing is asked for.
public struct ScriptedResponse: Sendable {
    public var actions: [ScriptedAction]
    /// When false the server sends Content-Length (the sum of all body actions) instead of chunking.
    public var chunked: Bool

    public init(_ actions: [ScriptedAction], chunked: Bool = true) {
        self.actions = actions
        self.chunked = chunked
    }

    /// A complete non-streamed JSON reply.
    public static func json(status: Int = 200, _ body: String, headers: [(String, String)] = []) -> ScriptedResponse {
        ScriptedResponse([.head(status: status, headers: [("Content-Type", "application/json")] + headers), .text(body)],
                         chunked: false)
    }
}

/// A request as the server received it.
public struct RecordedRequest: Sendable {
    public var method: String
    /// Path including any query string.
    public var path: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, path: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
