/// Renders an `LLMRequest` as an OpenAI Chat Completions streaming body.
///
/// Every OpenAI-compatible vendor (Groq, Together, OpenRouter, Gemini's OpenAI endpoint, Workers AI,
/// Ollama, vLLM) accepts this shape, which is why one encoder serves all presets.
enum OpenAIChatRequestEncoder {
    static func body(for request: LLMRequest, model: String, extraFields: [String: JSONValue] = [:]) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(model),
            "stream": .bool(true),
            "stream_options": .object(["include_usage": .bool(true)]),
            "messages": .array(request.messages.map(message)),
        ]
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(tool))
            body["tool_choice"] = toolChoice(request.toolChoice)
        }
        if let temperature = request.temperature { body["temperature"] = .number(temperature) }
        if let maxTokens = request.maxTokens { body["max_tokens"] = .number(Double(maxTokens)) }
        for (key, value) in extraFields { body[key] = value }
        return .object(body)
    }

    static func message(_ message: ChatMessage) -> JSONValue {
        var object: [String: JSONValue] = ["role": .string(message.role.rawValue)]
        switch message.role {
        case .assistant where !message.toolCalls.isEmpty:
            // OpenAI wants null, not "", when an assistant turn is only tool calls.
            object["content"] = message.content.isEmpty ? .null : .string(message.content)
            object["tool_calls"] = .array(message.toolCalls.map { call in
                .object([
                    "id": .string(call.id),
                    "type": .string("function"),
                    "function": .object(["name": .string(call.name), "arguments": .string(call.arguments)]),
                ])
            })
        case .tool:
            object["content"] = .string(message.content)
            object["tool_call_id"] = .string(message.toolCallID ?? "")
        default:
            object["content"] = .string(message.content)
        }
        return .object(object)
    }

    static func tool(_ tool: ToolDefinition) -> JSONValue {
        .object([
            "type": .string("function"),
            "function": .object([
                "name": .string(tool.name),
                "description": .string(tool.description),
                "parameters": tool.parameters,
            ]),
        ])
    }

    static func toolChoice(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: .string("auto")
        case .none: .string("none")
        case .required: .string("required")
        case .named(let name): .object(["type": .string("function"), "function": .object(["name": .string(name)])])
        }
    }
}
