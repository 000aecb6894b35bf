import Providers

/// The conversation an agent answers from: ordered messages, the instructions first.
///
/// It survives handoffs (only the instructions change) and barge-ins (the interrupted reply is
/// cut to what was actually spoken), so it is a plain value the session owns and passes around.
public struct ChatContext: Sendable, Equatable {
    public var messages: [ChatMessage]

    public init(_ messages: [ChatMessage] = []) { self.messages = messages }

    /// A context that starts with `instructions` as its system message.
    public init(instructions: String) { messages = [.system(instructions)] }

    public var count: Int { messages.count }
    public var isEmpty: Bool { messages.isEmpty }

    /// The leading system message's text.
    public var instructions: String? {
        guard let first = messages.first, first.role == .system else { return nil }
        return first.content
    }

    /// Replaces the leading system message (or inserts one): what a handoff does to the context.
    public mutating func setInstructions(_ text: String) {
        if messages.first?.role == .system { messages[0].content = text } else { messages.insert(.system(text), at: 0) }
    }

    public mutating func append(_ message: ChatMessage) { messages.append(message) }

    public mutating func append(contentsOf newMessages: some Sequence<ChatMessage>) { messages.append(contentsOf: newMessages) }

    public var lastUserMessage: ChatMessage? { messages.last { $0.role == .user } }

    /// Keeps the instructions and the last `count` other messages. Tool results whose call was cut
    /// off are dropped too, because providers reject a tool result without its call.
    public mutating func truncate(keepingLast count: Int) {
        let system = messages.first?.role == .system ? [messages[0]] : []
        var rest = Array(messages.dropFirst(system.count).suffix(max(0, count)))
        while rest.first?.role == .tool { rest.removeFirst() }
        messages = system + rest
    }

    /// After a barge-in: the last assistant message keeps only `spoken`, the part the user heard.
    /// An assistant message that said nothing audible and called no tools is removed.
    public mutating func truncateLastAssistantMessage(toSpoken spoken: String) {
        guard let index = messages.lastIndex(where: { $0.role == .assistant }) else { return }
        if spoken.isEmpty && messages[index].toolCalls.isEmpty {
            messages.remove(at: index)
        } else {
            messages[index].content = spoken
        }
    }

    /// The request for one turn: these messages and the tools' definitions.
    public func request(tools: [any Tool] = []) -> LLMRequest {
        LLMRequest(messages: messages, tools: tools.map(\.definition))
    }
}
