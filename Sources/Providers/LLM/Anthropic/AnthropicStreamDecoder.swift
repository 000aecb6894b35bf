import Foundation
import Transport

/// Decodes Anthropic Messages SSE: `message_start`, `content_block_*`, `message_delta`,
/// `message_stop`, `ping` and `error` events.
///
/// A `tool_use` block's `input_json_delta` fragments are joined and emitted as one call at
/// `content_block_stop`. `Usage.inputTokens` counts cached and cache-written tokens too, to match
/// OpenAI's `prompt_tokens`, so costs compare across providers.
struct AnthropicStreamDecoder: LLMStreamDecoder {
    let classifier: ErrorClassifier

    private(set) var isComplete = false
    private var blocks: [Int: ToolBlock] = [:]
    private var usage = Usage()
    private var sawUsage = false
    private var stopReason: FinishReason?

    private struct ToolBlock: Sendable {
        var id: String
        var name: String
        var json = ""
    }

    init(classifier: ErrorClassifier) { self.classifier = classifier }

    mutating func decode(_ event: SSEEvent) throws(ProviderError) -> [LLMEvent] {
        guard let json = JSONValue(parsing: event.data), case .object = json else {
            throw classifier.error(.malformedResponse, "unparseable \(event.event ?? "message") event: \(event.data.prefix(200))")
        }
        // The `type` field repeats the SSE event name; prefer it, it survives proxies that drop `event:`.
        switch json["type"]?.stringValue ?? event.event ?? "" {
        case "message_start":
            readUsage(json["message"]?["usage"])
        case "content_block_start":
            return try startBlock(index: json["index"]?.intValue ?? 0, block: json["content_block"])
        case "content_block_delta":
            return try delta(index: json["index"]?.intValue ?? 0, delta: json["delta"])
        case "content_block_stop":
            let index = json["index"]?.intValue ?? 0
            guard let block = blocks.removeValue(forKey: index) else { return [] }
            return [.toolCall(ToolCall(id: block.id, name: block.name, arguments: block.json.isEmpty ? "{}" : block.json))]
        case "message_delta":
            if let reason = json["delta"]?["stop_reason"]?.stringValue { stopReason = Self.finishReason(reason) }
            readUsage(json["usage"])
        case "message_stop":
            return closing()
        case "error":
            throw classifier.classify(streamError: json)
        default:
            break  // ping and event types added after this was written
        }
        return []
    }

    mutating func endOfStream() throws(ProviderError) -> [LLMEvent] {
        guard stopReason != nil, blocks.isEmpty else { throw classifier.error(.network, "stream ended early") }
        return closing()
    }

    private mutating func closing() -> [LLMEvent] {
        isComplete = true
        // Tool blocks left open by a message_stop cannot be trusted to be whole: drop them.
        blocks.removeAll()
        return (sawUsage ? [.usage(usage)] : []) + [.finish(stopReason ?? .stop)]
    }

    private mutating func startBlock(index: Int, block: JSONValue?) throws(ProviderError) -> [LLMEvent] {
        switch block?["type"]?.stringValue {
        case "text":
            if let text = block?["text"]?.stringValue, !text.isEmpty { return [.textDelta(text)] }
        case "tool_use":
            var tool = ToolBlock(id: block?["id"]?.stringValue ?? ToolCallID.mint(), name: block?["name"]?.stringValue ?? "")
            // Normally `{}` with the real input streamed as deltas; keep a non-empty one in case it is whole.
            if let input = block?["input"], let object = input.objectValue, !object.isEmpty { tool.json = input.jsonText }
            guard blocks.count < ToolCallLimits.maximumCalls else {
                throw classifier.error(.malformedResponse, "more than \(ToolCallLimits.maximumCalls) tool calls in one answer")
            }
            blocks[index] = tool
        default:
            break  // thinking and other blocks are not spoken
        }
        return []
    }

    private mutating func delta(index: Int, delta: JSONValue?) throws(ProviderError) -> [LLMEvent] {
        switch delta?["type"]?.stringValue {
        case "text_delta":
            if let text = delta?["text"]?.stringValue, !text.isEmpty { return [.textDelta(text)] }
        case "input_json_delta":
            if let fragment = delta?["partial_json"]?.stringValue, blocks[index] != nil {
                if blocks[index]?.json == "{}" && !fragment.isEmpty { blocks[index]?.json = "" }
                blocks[index]?.json += fragment
                guard (blocks[index]?.json.utf8.count ?? 0) <= ToolCallLimits.maximumArgumentBytes else {
                    throw classifier.error(.malformedResponse, "tool call arguments over \(ToolCallLimits.maximumArgumentBytes) bytes")
                }
            }
        default:
            break
        }
        return []
    }

    private mutating func readUsage(_ json: JSONValue?) {
        guard let json, case .object = json else { return }
        sawUsage = true
        let fresh = json["input_tokens"]?.intValue
        let cacheRead = json["cache_read_input_tokens"]?.intValue
        let cacheWrite = json["cache_creation_input_tokens"]?.intValue
        if fresh != nil || cacheRead != nil || cacheWrite != nil {
            usage.inputTokens = (fresh ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0)
            usage.cachedTokens = cacheRead ?? 0
        }
        if let output = json["output_tokens"]?.intValue { usage.outputTokens = output }
    }

    static func finishReason(_ raw: String) -> FinishReason {
        switch raw {
        case "end_turn", "stop_sequence", "pause_turn": .stop
        case "max_tokens", "model_context_window_exceeded": .length
        case "tool_use": .toolCalls
        case "refusal": .contentFilter
        default: .other
        }
    }
}
