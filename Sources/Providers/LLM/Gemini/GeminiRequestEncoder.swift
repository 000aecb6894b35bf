/// Renders an `LLMRequest` as a Gemini `streamGenerateContent` body.
///
/// Replayed `functionCall` parts carry their `thoughtSignature` back (from
/// `ToolCall.providerMetadata["gemini.thoughtSignature"]`): Gemini rejects a replayed call without it.
enum GeminiRequestEncoder {
    static let thoughtSignatureKey = "gemini.thoughtSignature"

    static func body(for request: LLMRequest) -> JSONValue {
        var body: [String: JSONValue] = ["contents": .array(contents(request.messages))]
        let system = request.messages.filter { $0.role == .system }.map(\.content).joined(separator: "\n\n")
        if !system.isEmpty { body["systemInstruction"] = .object(["parts": .array([.object(["text": .string(system)])])]) }
        if !request.tools.isEmpty {
            body["tools"] = .array([.object(["functionDeclarations": .array(request.tools.map { tool in
                .object([
                    "name": .string(tool.name),
                    "description": .string(tool.description),
                    "parameters": tool.parameters,
                ])
            })])])
            body["toolConfig"] = .object(["functionCallingConfig": functionCallingConfig(request.toolChoice)])
        }
        var generation: [String: JSONValue] = [:]
        if let temperature = request.temperature { generation["temperature"] = .number(temperature) }
        if let maxTokens = request.maxTokens { generation["maxOutputTokens"] = .number(Double(maxTokens)) }
        if !generation.isEmpty { body["generationConfig"] = .object(generation) }
        return .object(body)
    }

    static func contents(_ messages: [ChatMessage]) -> [JSONValue] {
        // Gemini wants alternating turns, and all responses to one model turn's calls in one user turn.
        var turns: [(role: String, parts: [JSONValue])] = []
        for message in messages where message.role != .system {
            let role = message.role == .assistant ? "model" : "user"
            let parts = self.parts(message)
            guard !parts.isEmpty else { continue }
            if turns.last?.role == role { turns[turns.count - 1].parts += parts } else { turns.append((role, parts)) }
        }
        return turns.map { .object(["role": .string($0.role), "parts": .array($0.parts)]) }
    }

    private static func parts(_ message: ChatMessage) -> [JSONValue] {
        switch message.role {
        case .tool:
            // `response` must be an object: a JSON object result goes as is, anything else is wrapped.
            let response: JSONValue
            if let parsed = JSONValue(parsing: message.content), case .object = parsed {
                response = parsed
            } else {
                response = .object(["content": .string(message.content)])
            }
            return [.object(["functionResponse": .object([
                "name": .string(message.toolName ?? ""),
                "response": response,
            ])])]
        case .assistant:
            var parts: [JSONValue] = message.content.isEmpty ? [] : [.object(["text": .string(message.content)])]
            for call in message.toolCalls {
                var part: [String: JSONValue] = ["functionCall": .object([
                    "name": .string(call.name),
                    "args": .argumentsObject(call.arguments),
                ])]
                if let signature = call.providerMetadata[thoughtSignatureKey] {
                    part["thoughtSignature"] = .string(signature)
                }
                parts.append(.object(part))
            }
            return parts
        case .user, .system:
            return message.content.isEmpty ? [] : [.object(["text": .string(message.content)])]
        }
    }

    static func functionCallingConfig(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: .object(["mode": .string("AUTO")])
        case .none: .object(["mode": .string("NONE")])
        case .required: .object(["mode": .string("ANY")])
        case .named(let name): .object(["mode": .string("ANY"), "allowedFunctionNames": .array([.string(name)])])
        }
    }
}
