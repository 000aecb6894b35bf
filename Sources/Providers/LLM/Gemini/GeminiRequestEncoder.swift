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
            body["tools"] = .array([.object(["functionDeclarations": .array(request.tools.map(functionDeclaration))])])
            body["toolConfig"] = .object(["functionCallingConfig": functionCallingConfig(request.toolChoice)])
        }
        var generation: [String: JSONValue] = [:]
        if let temperature = request.temperature { generation["temperature"] = .number(temperature) }
        if let maxTokens = request.maxTokens { generation["maxOutputTokens"] = .number(Double(maxTokens)) }
        if !generation.isEmpty { body["generationConfig"] = .object(generation) }
        return .object(body)
    }

    /// Gemini's conversation rules (docs/providers.md § Gemini): contents start with a `user` turn and
    /// alternate `user`/`model`; all responses to one model turn's calls form the next user turn, one
    /// `functionResponse` per `functionCall`.
    static func contents(_ messages: [ChatMessage]) -> [JSONValue] {
        let turns = ConversationRules.pairingToolResults(messages).filter { $0.role != .system }.map { message in
            (role: message.role == .assistant ? "model" : "user", parts: parts(message))
        }
        let opening: JSONValue = .object(["text": .string(ConversationRules.openingUserTurn)])
        return ConversationRules.alternatingTurns(turns, userRole: "user", opening: opening)
            .map { .object(["role": .string($0.role), "parts": .array($0.parts)]) }
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
            var parts: [JSONValue] = ConversationRules.isBlank(message.content) ? [] : [.object(["text": .string(message.content)])]
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
            return ConversationRules.isBlank(message.content) ? [] : [.object(["text": .string(message.content)])]
        }
    }

    /// A tool as a `FunctionDeclaration`. A tool without parameters omits `parameters` ("for function with
    /// no parameters, this can be left unset"; an empty-properties object is answered with 400 "properties:
    /// should be non-empty for OBJECT type"), and the rest goes through `GeminiSchema.reduced(_:)`.
    static func functionDeclaration(_ tool: ToolDefinition) -> JSONValue {
        var declaration: [String: JSONValue] = ["name": .string(tool.name), "description": .string(tool.description)]
        if let parameters = GeminiSchema.parameters(tool.parameters) { declaration["parameters"] = parameters }
        return .object(declaration)
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
