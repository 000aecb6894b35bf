/// Renders an `LLMRequest` as an Anthropic Messages streaming body.
///
/// Anthropic differs from OpenAI in ways that matter on replay after a fallback: the system prompt is
/// a top-level field, tool results are `tool_result` blocks inside a *user* turn, and consecutive
/// turns of one role must be merged into one message.
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

    static func messages(_ messages: [ChatMessage]) -> [JSONValue] {
        var turns: [(role: String, blocks: [JSONValue])] = []
        for message in messages where message.role != .system {
            let role = message.role == .assistant ? "assistant" : "user"
            let blocks = self.blocks(message)
            guard !blocks.isEmpty else { continue }
            if turns.last?.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        return turns.map { .object(["role": .string($0.role), "content": .array($0.blocks)]) }
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
            var blocks: [JSONValue] = message.content.isEmpty ? [] : [text(message.content)]
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
            return message.content.isEmpty ? [] : [text(message.content)]
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
