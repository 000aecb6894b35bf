import Foundation
import Transport

/// Decodes OpenAI `chat.completion.chunk` SSE events (OpenAI, OpenRouter, Groq, Together, Gemini's
/// OpenAI endpoint, Workers AI, local servers).
///
/// Tool-call fragments are merged and emitted whole when the choice finishes, because a half-built
/// call is useless to the agent and unsafe to fail over from. `usage` and `finish` are held back to
/// the end so they come last, whatever order the server sent them in.
struct OpenAIStreamDecoder: LLMStreamDecoder {
    let classifier: ErrorClassifier
    /// Told the `model` field of the first chunk: OpenRouter reports there which model really served.
    var onModel: (@Sendable (String) -> Void)?

    private(set) var isComplete = false
    private var calls: [PartialCall] = []
    private var emittedToolCall = false
    private var finishReason: FinishReason?
    private var usage: Usage?
    private var reportedModel = false

    private struct PartialCall: Sendable {
        var index: Int?
        var id: String?
        var name = ""
        var arguments = ""
    }

    init(classifier: ErrorClassifier, onModel: (@Sendable (String) -> Void)? = nil) {
        self.classifier = classifier
        self.onModel = onModel
    }

    mutating func decode(_ event: SSEEvent) throws(ProviderError) -> [LLMEvent] {
        let data = event.data.trimmingCharacters(in: .whitespacesAndNewlines)
        if data.isEmpty { return [] }
        if data == "[DONE]" {
            var out = flushCalls()
            out += closing(reason: finishReason ?? (emittedToolCall ? .toolCalls : .stop))
            return out
        }
        guard let chunk = JSONValue(parsing: data), case .object = chunk else {
            throw classifier.error(.malformedResponse, "unparseable stream chunk: \(data.prefix(200))")
        }
        if let error = chunk["error"], error != .null { throw classifier.classify(streamError: chunk) }
        if !reportedModel, let model = chunk["model"]?.stringValue, !model.isEmpty {
            reportedModel = true
            onModel?(model)
        }
        if let usageObject = chunk["usage"], case .object = usageObject { usage = Self.usage(usageObject) }
        var out: [LLMEvent] = []
        // The usage-only chunk has `choices: []`, `choices: null` or no key at all.
        for choice in chunk["choices"]?.arrayValue ?? [] where (choice["index"]?.intValue ?? 0) == 0 {
            if let delta = choice["delta"] {
                if let text = delta["content"]?.stringValue, !text.isEmpty { out.append(.textDelta(text)) }
                for fragment in delta["tool_calls"]?.arrayValue ?? [] { try merge(fragment) }
            }
            if let reason = choice["finish_reason"]?.stringValue {
                out += flushCalls()
                finishReason = Self.finishReason(reason, hadToolCalls: emittedToolCall)
            }
        }
        return out
    }

    mutating func endOfStream() throws(ProviderError) -> [LLMEvent] {
        // Without a finish reason we cannot tell a complete answer from a cut connection.
        guard let reason = finishReason else { throw classifier.error(.network, "stream ended early") }
        return closing(reason: reason)
    }

    private mutating func closing(reason: FinishReason) -> [LLMEvent] {
        isComplete = true
        return (usage.map { [LLMEvent.usage($0)] } ?? []) + [.finish(reason)]
    }

    /// Finds the call a fragment continues: by `index`; without one (Gemini's OpenAI endpoint) by
    /// `id`; a new id starts a new call; neither continues the latest call.
    private mutating func merge(_ fragment: JSONValue) throws(ProviderError) {
        let index = fragment["index"]?.intValue
        let id = fragment["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let position: Int
        if let index, let found = calls.firstIndex(where: { $0.index == index }) {
            position = found
        } else if index == nil, let id, let found = calls.firstIndex(where: { $0.id == id }) {
            position = found
        } else if index == nil, id == nil, !calls.isEmpty {
            position = calls.count - 1
        } else {
            guard calls.count < ToolCallLimits.maximumCalls else {
                throw classifier.error(.malformedResponse, "more than \(ToolCallLimits.maximumCalls) tool calls in one answer")
            }
            calls.append(PartialCall(index: index, id: id))
            position = calls.count - 1
        }
        if calls[position].id == nil { calls[position].id = id }
        let function = fragment["function"]
        if let name = function?["name"]?.stringValue, !name.isEmpty, calls[position].name.isEmpty {
            calls[position].name = name
        }
        if let arguments = function?["arguments"] {
            // Some servers send the arguments as an object instead of a string fragment.
            calls[position].arguments += arguments.stringValue ?? (arguments == .null ? "" : arguments.jsonText)
            guard calls[position].arguments.utf8.count <= ToolCallLimits.maximumArgumentBytes else {
                throw classifier.error(.malformedResponse, "tool call arguments over \(ToolCallLimits.maximumArgumentBytes) bytes")
            }
        }
    }

    private mutating func flushCalls() -> [LLMEvent] {
        defer { calls.removeAll() }
        if !calls.isEmpty { emittedToolCall = true }
        return calls.map { call in
            .toolCall(ToolCall(id: call.id ?? ToolCallID.mint(), name: call.name,
                               arguments: call.arguments.isEmpty ? "{}" : call.arguments))
        }
    }

    static func usage(_ json: JSONValue) -> Usage {
        Usage(inputTokens: json["prompt_tokens"]?.intValue ?? 0,
              outputTokens: json["completion_tokens"]?.intValue ?? 0,
              cachedTokens: json["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0,
              costUSD: json["cost"]?.numberValue)
    }

    /// Some servers (Gemini's OpenAI endpoint) say "stop" after tool calls; the agent needs to know
    /// tool calls are pending, so that case becomes `.toolCalls`.
    static func finishReason(_ raw: String, hadToolCalls: Bool) -> FinishReason {
        switch raw {
        case "stop", "eos", "end_turn": hadToolCalls ? .toolCalls : .stop
        case "length", "max_tokens": .length
        case "tool_calls", "function_call": .toolCalls
        case "content_filter": .contentFilter
        default: hadToolCalls ? .toolCalls : .other
        }
    }
}
