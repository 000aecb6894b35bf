/// Assembles the response head from the header lines libcurl hands over one at a time, and decides
/// when the *final* head is complete.
///
/// libcurl reports every head it sees on the connection: interim 1xx responses (100-continue,
/// 103 Early Hints) come before the final one, and chunked trailers come after the body. Only
/// the first head with a status of 200 or more is the response a caller wants (RFC 9110 §15.2).
/// A pure value type so the rules can be tested without a socket.
struct ResponseHeadParser: Sendable {
    /// What one header line meant.
    enum Event: Equatable {
        /// Keep feeding lines.
        case needMore
        /// The final head is complete; later lines (trailers) are ignored.
        case complete(HTTPResponseHead)
    }

    private var status: Int?
    private var version = "1.1"
    private var headers = HTTPHeaders()
    private var pendingFold: (name: String, value: String)?
    private(set) var isComplete = false

    init() {}

    /// Feeds one line, with or without its CRLF. Malformed lines from a peer are skipped, never trapped on.
    mutating func consume(_ rawLine: some Sequence<UInt8>) -> Event {
        guard !isComplete else { return .needMore }
        var line = Array(rawLine)
        while let last = line.last, last == 0x0A || last == 0x0D { line.removeLast() }

        if line.isEmpty { return endOfHead() }
        if line.starts(with: Array("HTTP/".utf8)) {
            startHead(statusLine: line)
            return .needMore
        }
        if line.first == 0x20 || line.first == 0x09 {
            // obs-fold (RFC 9112 §5.2): a continuation of the previous field value.
            if var field = pendingFold {
                field.value += " " + String(decoding: line, as: UTF8.self).trimmingWhitespace()
                pendingFold = field
            }
            return .needMore
        }
        flushFold()
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return .needMore }
        let name = String(decoding: line[..<colon], as: UTF8.self).trimmingWhitespace()
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingWhitespace()
        pendingFold = (name, value)
        return .needMore
    }

    private mutating func startHead(statusLine line: [UInt8]) {
        let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: true)
        version = parts.first.map { String(decoding: $0.dropFirst(5), as: UTF8.self) } ?? "1.1"
        status = parts.count > 1 ? Int(String(decoding: parts[1], as: UTF8.self)) : nil
        headers = HTTPHeaders()
        pendingFold = nil
    }

    private mutating func flushFold() {
        if let field = pendingFold { headers.add(field.name, field.value) }
        pendingFold = nil
    }

    private mutating func endOfHead() -> Event {
        flushFold()
        guard let status, status >= 200 else {
            // An interim 1xx head (or a blank line before any status line): wait for the next head.
            self.status = nil
            headers = HTTPHeaders()
            return .needMore
        }
        isComplete = true
        return .complete(HTTPResponseHead(status: status, headers: headers, httpVersion: version))
    }
}

extension String {
    /// Strips leading and trailing spaces and tabs (HTTP optional whitespace, RFC 9110 §5.6.3).
    func trimmingWhitespace() -> String {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isOWS($0) }), let end = lastIndex(where: { !isOWS($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
