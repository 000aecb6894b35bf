/// One server-sent event (WHATWG HTML §9.2): the `data:` lines joined by "\n".
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field; nil means the default type, "message".
    public var event: String?
    public var data: String
    public var id: String?

    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}
