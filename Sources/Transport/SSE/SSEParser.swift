/// Incremental server-sent-events parser (WHATWG HTML §9.2.6), fed raw bytes in any split.
///
/// Handles LF, CR and CRLF line ends (also when a CRLF straddles two chunks), multi-line `data:`,
/// `event:`/`id:` fields, comment lines (`: OPENROUTER PROCESSING` keep-alives, counted in
/// `commentCount`) and a final event without a trailing blank line (`finish()`). It does not
/// interpret `[DONE]`: that sentinel belongs to the OpenAI wire format, not to SSE.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var data: [String] = []
    private var dataBytes = 0
    private var hasData = false
    private var eventType: String?
    private var lastEventID: String?
    /// Lines longer than this are cut off (a misbehaving server cannot exhaust memory).
    public let maximumLineLength: Int
    /// An event's `data` lines beyond this many bytes in all are dropped: a server that sends
    /// `data:` lines forever without the blank line that ends an event cannot exhaust memory either.
    /// The cut event no longer parses as the vendor's JSON, so it fails that provider alone.
    public let maximumEventSize: Int
    /// Keep-alive comments seen so far.
    public private(set) var commentCount = 0

    public init(maximumLineLength: Int = 1 << 20, maximumEventSize: Int = 4 << 20) {
        self.maximumLineLength = maximumLineLength
        self.maximumEventSize = maximumEventSize
    }

    /// Consumes `bytes` and returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"):
                if lastWasCR { lastWasCR = false; continue }  // second half of CRLF
                endLine(into: &events)
            case UInt8(ascii: "\r"):
                lastWasCR = true
                endLine(into: &events)
            default:
                lastWasCR = false
                if line.count < maximumLineLength { line.append(byte) }
            }
        }
        return events
    }

    /// Ends the stream: a pending event without its blank line is still delivered.
    public mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty { endLine(into: &events) }
        dispatch(into: &events)
        return events
    }

    private mutating func endLine(into events: inout [SSEEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            dispatch(into: &events)
            return
        }
        if line.first == UInt8(ascii: ":") {
            commentCount += 1
            return
        }
        let field: String
        var value: Substring
        let text = String(decoding: line, as: UTF8.self)
        if let colon = text.firstIndex(of: ":") {
            field = String(text[..<colon])
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = text
            value = ""
        }
        switch field {
        case "data":
            hasData = true
            guard dataBytes + value.utf8.count <= maximumEventSize else { break }
            dataBytes += value.utf8.count + 1
            data.append(String(value))
        case "event":
            eventType = String(value)
        case "id":
            if !value.contains("\u{0}") { lastEventID = String(value) }
        default:
            break  // "retry" and unknown fields are ignored; reconnection is the caller's business.
        }
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        defer {
            data.removeAll(keepingCapacity: true)
            dataBytes = 0
            hasData = false
            eventType = nil
        }
        guard hasData else { return }
        events.append(SSEEvent(event: eventType.flatMap { $0.isEmpty ? nil : $0 }, data: data.joined(separator: "\n"),
                               id: lastEventID))
    }
}
