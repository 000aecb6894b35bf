/// Renders an `LLMRequest` as an Anthropic Messages streaming body.
///
/// Anthropic differs from OpenAI in ways that matter on replay after a fallback: the system prompt is
/// a top-level field, tool results are `tool_result` blocks inside a *user* turn, consecutive turns of
/// one role must be merged into one message, and the first message must be the user's.
enum AnthropicRequestEncoder {
    /// Anthropic requires `max_tokens`; this is used when the request leaves it open.
    static let defaultMaxTokens = 1024

    static func body(for request: LLMRequest, model: String) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(model),
            "stream": .bool(true),
            "max_tokens": .number(Double(request.maxTokens ?? defaultMaxTokens)),
            "messages": .array(messages(request.messages)),
        ]
        let system = request.messages.filter { $0.role == .system }.map(\.content).joined(separator: "\n\n")
        if !system.isEmpty { body["system"] = .string(system) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                .object([
                    "name": .string(tool.name),
                    "description": .string(tool.description),
                    "input_schema": tool.parameters,
                ])
            })
            body["tool_choice"] = toolChoice(request.toolChoice)
        }
        if let temperature = request.temperature { body["temperature"] = .number(temperature) }
        return .object(body)
    }

    /// The Messages API's conversation rules (docs/providers.md § Anthropic): the first message is the
    /// user's, roles alternate, no blank text block, and each `tool_use` is answered by a `tool_result`
    /// in the very next (user) message, before any text in it.
    static func messages(_ messages: [ChatMessage]) -> [JSONValue] {
        let turns = ConversationRules.pairingToolResults(messages).filter { $0.role != .system }.map { message in
            (role: message.role == .assistant ? "assistant" : "user", parts: blocks(message))
        }
        return ConversationRules.alternatingTurns(turns, userRole: "user", opening: text(ConversationRules.openingUserTurn))
            .map { .object(["role": .string($0.role), "content": .array($0.parts)]) }
    }

    private static func blocks(_ message: ChatMessage) -> [JSONValue] {
        switch message.role {
        case .tool:
            return [.object([
                "type": .string("tool_result"),
                "tool_use_id": .string(message.toolCallID ?? ""),
                "content": .string(message.content),
            ])]
        case .assistant:
            var blocks: [JSONValue] = ConversationRules.isBlank(message.content) ? [] : [text(message.content)]
            blocks += message.toolCalls.map { call in
                .object([
                    "type": .string("tool_use"),
                    "id": .string(call.id),
                    "name": .string(call.name),
                    "input": .argumentsObject(call.arguments),
                ])
            }
            return blocks
        case .user, .system:
            return ConversationRules.isBlank(message.content) ? [] : [text(message.content)]
        }
    }

    private static func text(_ text: String) -> JSONValue {
        .object(["type": .string("text"), "text": .string(text)])
    }

    static func toolChoice(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: .object(["type": .string("auto")])
        case .none: .object(["type": .string("none")])
        case .required: .object(["type": .string("any")])
        case .named(let name): .object(["type": .string("tool"), "name": .string(name)])
        }
    }
}
