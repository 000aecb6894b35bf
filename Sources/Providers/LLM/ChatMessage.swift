/// One message of a chat context, in a provider-neutral shape that every adapter can render.
public struct ChatMessage: Sendable, Equatable, Hashable {
    public enum Role: String, Sendable, Codable {
        case system, user, assistant, tool
    }

    public var role: Role
    public var content: String
    /// Tool calls the assistant made in this message (role == .assistant).
    public var toolCalls: [ToolCall]
    /// For role == .tool: the call this message answers.
    public var toolCallID: String?
    /// For role == .tool: the tool's name (Gemini needs it on function responses).
    public var toolName: String?

    public init(role: Role, content: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil, toolName: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.toolName = toolName
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, content: text) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: text) }
    public static func assistant(_ text: String, toolCalls: [ToolCall] = []) -> ChatMessage {
        ChatMessage(role: .assistant, content: text, toolCalls: toolCalls)
    }
    public static func toolResult(callID: String, name: String, content: String) -> ChatMessage {
        ChatMessage(role: .tool, content: content, toolCallID: callID, toolName: name)
    }
}

/// A complete tool call: adapters assemble streamed fragments before emitting one.
public struct ToolCall: Sendable, Equatable, Hashable, Codable {
    public var id: String
    public var name: String
    /// The arguments as JSON text, exactly as the model produced them.
    public var arguments: String
    /// Opaque provider data that must travel back with the call when the context is replayed,
    /// e.g. Gemini's `thoughtSignature` under the key "gemini.thoughtSignature".
    public var providerMetadata: [String: String]

    public init(id: String, name: String, arguments: String, providerMetadata: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.arguments = arguments
        self.providerMetadata = providerMetadata
    }
}

/// A function the model may call, described by a JSON Schema for its arguments.
public struct ToolDefinition: Sendable, Equatable, Hashable {
    public var name: String
    public var description: String
    /// JSON Schema of the arguments object.
    public var parameters: JSONValue

    public init(name: String, description: String, parameters: JSONValue) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

public enum ToolChoice: Sendable, Equatable, Hashable {
    case auto
    case none
    case required
    case named(String)
}
