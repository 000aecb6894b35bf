/// Renders an `LLMRequest` as an OpenAI Chat Completions streaming body.
///
/// Every OpenAI-compatible vendor (Groq, Together, OpenRouter, Gemini's OpenAI endpoint, Workers AI,
/// Ollama, vLLM) accepts this shape, which is why one encoder serves all presets.
enum OpenAIChatRequestEncoder {
    /// How a vendor's Chat Completions endpoint takes the output-token limit.
    enum TokenLimitField: String, Sendable {
        /// The original field; what Groq, Together, OpenRouter, Workers AI and local servers document.
        case maxTokens = "max_tokens"
        /// OpenAI's replacement: `max_tokens` is deprecated there and rejected by its reasoning models
        /// (the GPT-5/GPT-6 families, including the default `gpt-6-luna`); every current OpenAI chat
        /// model takes `max_completion_tokens`.
        case maxCompletionTokens = "max_completion_tokens"
    }

    /// `reasoning_effort` to send OpenAI for `model` when the request carries tools: GPT-6 models
    /// reason by default, and on Chat Completions they take function calling only with
    /// `reasoning_effort: "none"`; older models reject the field, so it is sent to GPT-6 ids only.
    static func openAIReasoningEffort(model: String, hasTools: Bool) -> String? {
        hasTools && model.lowercased().hasPrefix("gpt-6") ? "none" : nil
    }

    static func body(for request: LLMRequest, model: String, extraFields: [String: JSONValue] = [:],
                     tokenLimitField: TokenLimitField = .maxTokens) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(model),
            "stream": .bool(true),
            "stream_options": .object(["include_usage": .bool(true)]),
            // Every call answered right after it (ConversationRules): OpenAI rejects a call without its result.
            "messages": .array(ConversationRules.pairingToolResults(request.messages).map(message)),
        ]
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(tool))
            body["tool_choice"] = toolChoice(request.toolChoice)
        }
        if let temperature = request.temperature { body["temperature"] = .number(temperature) }
        if let maxTokens = request.maxTokens { body[tokenLimitField.rawValue] = .number(Double(maxTokens)) }
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
