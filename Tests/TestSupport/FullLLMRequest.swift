import Providers

/// A request with one tool, one replayed tool round trip and a system prompt: exercises every encoder
/// path (the provider tests and the provider fuzz targets send it).
public let fullRequest = LLMRequest(
    messages: [
        .system("You are terse."),
        .user("Weather in Paris?"),
        .assistant("", toolCalls: [ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris"}"#,
                                            providerMetadata: ["gemini.thoughtSignature": "SIG123"])]),
        .toolResult(callID: "call_1", name: "get_weather", content: #"{"temp":21}"#),
        .user("Thanks. And Rome?"),
    ],
    tools: [ToolDefinition(name: "get_weather", description: "Current weather",
                           parameters: .object(["type": .string("object"),
                                                "properties": .object(["city": .object(["type": .string("string")])])]))],
    toolChoice: .named("get_weather"), temperature: 0.5, maxTokens: 200)
