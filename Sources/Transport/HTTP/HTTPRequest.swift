import Foundation

/// One HTTP request, with the deadlines a streaming API call needs.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var timeouts: HTTPTimeouts

    public init(method: String = "POST", url: URL, headers: HTTPHeaders = [:], body: [UInt8] = [],
                timeouts: HTTPTimeouts = HTTPTimeouts()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
    }
}

/// Deadlines for a request. nil disables that deadline.
public struct HTTPTimeouts: Sendable, Equatable {
    /// TCP + TLS connection establishment.
    public var connect: Duration?
    /// From sending the request until the response head arrives (a server that accepts and stays silent).
    public var firstByte: Duration?
    /// Longest gap allowed between two body chunks (a stream that stalls midway).
    public var idle: Duration?
    /// Whole transfer.
    public var total: Duration?

    public init(connect: Duration? = .seconds(10), firstByte: Duration? = nil, idle: Duration? = nil,
                total: Duration? = nil) {
        self.connect = connect
        self.firstByte = firstByte
        self.idle = idle
        self.total = total
    }
}
