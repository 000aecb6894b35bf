/// Exact SSE bodies as each vendor sends them, for adapter unit tests and for fault-injecting
/// socket tests (`scripted(_:)` turns one into `ScriptedAction`s).
///
/// HAND-WRITTEN templates, not recordings: each follows the shape of the vendor's published API
/// reference examples (field order, `data:` framing, `[DONE]`, Anthropic's `event:` lines), but
/// none was captured from the live API (there is no network here). Built with string templates,
/// not encoders, so an adapter that depends on our own encoder's habits is caught.
public enum ProviderWireFixtures {
    /// One OpenAI-style tool call, sent as `fragments` argument pieces.
    public struct ToolCallSpec: Sendable {
        public var id: String
        public var name: String
        public var argumentFragments: [String]

        public init(id: String, name: String, argumentFragments: [String]) {
            self.id = id
            self.name = name
            self.argumentFragments = argumentFragments
        }
    }

    // MARK: OpenAI / OpenRouter

    /// A text answer: role chunk, one chunk per piece, finish chunk, usage chunk with `choices: []`,
    /// then `[DONE]`. `openRouterComments` adds `: OPENROUTER PROCESSING` keep-alives; `cost` adds
    /// OpenRouter's `usage.cost`.
    public static func openAIText(_ pieces: [String], model: String = "gpt-4o-mini", finishReason: String = "stop",
                                  promptTokens: Int = 12, completionTokens: Int = 5, cachedTokens: Int = 0,
                                  cost: Double? = nil, openRouterComments: Bool = false, done: Bool = true,
                                  includeUsage: Bool = true) -> String {
        var out = openRouterComments ? ": OPENROUTER PROCESSING\n\n" : ""
        out += chunk(model: model, delta: #"{"role":"assistant","content":""}"#)
        if openRouterComments { out += ": OPENROUTER PROCESSING\n\n" }
        for piece in pieces { out += chunk(model: model, delta: #"{"content":\#(jsonString(piece))}"#) }
        out += chunk(model: model, delta: "{}", finishReason: finishReason)
        if includeUsage { out += usageChunk(model: model, prompt: promptTokens, completion: completionTokens,
                                            cached: cachedTokens, cost: cost) }
        if done { out += "data: [DONE]\n\n" }
        return out
    }

    /// Tool calls whose arguments arrive in fragments; `includeIndex: false` mimics Gemini's OpenAI endpoint.
    public static func openAIToolCalls(_ calls: [ToolCallSpec], model: String = "gpt-4o-mini", includeIndex: Bool = true,
                                       finishReason: String = "tool_calls") -> String {
        var out = chunk(model: model, delta: #"{"role":"assistant","content":null}"#)
        for (index, call) in calls.enumerated() {
            let indexField = includeIndex ? #""index":\#(index),"# : ""
            let first = call.argumentFragments.first ?? ""
            out += chunk(model: model, delta: #"{"tool_calls":[{\#(indexField)"id":"\#(call.id)","type":"function","function":{"name":"\#(call.name)","arguments":\#(jsonString(first))}}]}"#)
            for fragment in call.argumentFragments.dropFirst() {
                // Without an index the id is repeated, as Gemini does; with one, only the index is sent.
                let key = includeIndex ? indexField : #""id":"\#(call.id)","#
                out += chunk(model: model, delta: #"{"tool_calls":[{\#(key)"function":{"arguments":\#(jsonString(fragment))}}]}"#)
            }
        }
        out += chunk(model: model, delta: "{}", finishReason: finishReason)
        out += usageChunk(model: model, prompt: 40, completion: 18, cached: 0, cost: nil)
        out += "data: [DONE]\n\n"
        return out
    }

    /// Some text, then an in-stream error event as OpenRouter sends it after a 200.
    public static func openAIMidStreamError(code: Int = 502, message: String = "Provider returned error",
                                            textBefore: [String] = []) -> String {
        var out = chunk(model: "gpt-4o-mini", delta: #"{"role":"assistant","content":""}"#)
        for piece in textBefore { out += chunk(model: "gpt-4o-mini", delta: #"{"content":\#(jsonString(piece))}"#) }
        out += #"data: {"error":{"code":\#(code),"message":\#(jsonString(message))}}"# + "\n\n"
        return out
    }

    private static func chunk(model: String, delta: String, finishReason: String? = nil) -> String {
        let finish = finishReason.map { "\"\($0)\"" } ?? "null"
        return #"data: {"id":"chatcmpl-fx1","object":"chat.completion.chunk","created":1731000000,"model":"\#(model)","choices":[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(finish)}],"usage":null}"# + "\n\n"
    }

    private static func usageChunk(model: String, prompt: Int, completion: Int, cached: Int, cost: Double?) -> String {
        let costField = cost.map { #","cost":\#($0)"# } ?? ""
        return #"data: {"id":"chatcmpl-fx1","object":"chat.completion.chunk","created":1731000000,"model":"\#(model)","choices":[],"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(prompt + completion),"prompt_tokens_details":{"cached_tokens":\#(cached)}\#(costField)}}"# + "\n\n"
    }

    // MARK: Anthropic

    /// A text answer with `ping`s, as the Messages API streams it.
    public static func anthropicText(_ pieces: [String], model: String = "claude-3-5-haiku-latest",
                                     stopReason: String = "end_turn", inputTokens: Int = 25, cacheRead: Int = 0,
                                     outputTokens: Int = 9, includeStop: Bool = true) -> String {
        var out = messageStart(model: model, inputTokens: inputTokens, cacheRead: cacheRead)
        out += event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#)
        out += event("ping", #"{"type": "ping"}"#)
        for piece in pieces {
            out += event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\#(jsonString(piece))}}"#)
        }
        out += event("content_block_stop", #"{"type":"content_block_stop","index":0}"#)
        if includeStop { out += messageEnd(stopReason: stopReason, outputTokens: outputTokens) }
        return out
    }

    /// A short text block, then a `tool_use` block whose input arrives as `input_json_delta` fragments.
    public static func anthropicToolUse(id: String = "toolu_01A", name: String, jsonFragments: [String],
                                        text: String = "Let me check.") -> String {
        var out = messageStart(model: "claude-3-5-haiku-latest", inputTokens: 80, cacheRead: 0)
        out += event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#)
        out += event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\#(jsonString(text))}}"#)
        out += event("content_block_stop", #"{"type":"content_block_stop","index":0}"#)
        out += event("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"\#(id)","name":"\#(name)","input":{}}}"#)
        out += event("ping", #"{"type": "ping"}"#)
        for fragment in jsonFragments {
            out += event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":\#(jsonString(fragment))}}"#)
        }
        out += event("content_block_stop", #"{"type":"content_block_stop","index":1}"#)
        out += messageEnd(stopReason: "tool_use", outputTokens: 30)
        return out
    }

    /// The stream Anthropic sends when it is overloaded after the 200: `message_start`, then `event: error`.
    public static func anthropicOverloaded(type: String = "overloaded_error", message: String = "Overloaded") -> String {
        messageStart(model: "claude-3-5-haiku-latest", inputTokens: 25, cacheRead: 0)
            + event("ping", #"{"type": "ping"}"#)
            + event("error", #"{"type":"error","error":{"type":"\#(type)","message":\#(jsonString(message))}}"#)
    }

    private static func messageStart(model: String, inputTokens: Int, cacheRead: Int) -> String {
        event("message_start", #"{"type":"message_start","message":{"id":"msg_fx1","type":"message","role":"assistant","content":[],"model":"\#(model)","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":\#(inputTokens),"cache_creation_input_tokens":0,"cache_read_input_tokens":\#(cacheRead),"output_tokens":1}}}"#)
    }

    private static func messageEnd(stopReason: String, outputTokens: Int) -> String {
        event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"\#(stopReason)","stop_sequence":null},"usage":{"output_tokens":\#(outputTokens)}}"#)
            + event("message_stop", #"{"type":"message_stop"}"#)
    }

    private static func event(_ name: String, _ data: String) -> String { "event: \(name)\ndata: \(data)\n\n" }

    // MARK: Gemini

    /// Text in several frames; the last carries `finishReason` and `usageMetadata`. No `[DONE]`.
    public static func geminiText(_ pieces: [String], finishReason: String? = "STOP", promptTokens: Int = 10,
                                  candidateTokens: Int = 6, thoughtTokens: Int = 0) -> String {
        var out = ""
        for (index, piece) in pieces.enumerated() {
            let isLast = index == pieces.count - 1
            let finish = isLast ? finishReason.map { #","finishReason":"\#($0)""# } ?? "" : ""
            let usage = isLast && finishReason != nil
                ? #","usageMetadata":{"promptTokenCount":\#(promptTokens),"candidatesTokenCount":\#(candidateTokens),"thoughtsTokenCount":\#(thoughtTokens),"totalTokenCount":\#(promptTokens + candidateTokens + thoughtTokens)}"#
                : #","usageMetadata":{"promptTokenCount":\#(promptTokens),"totalTokenCount":\#(promptTokens)}"#
            out += #"data: {"candidates":[{"content":{"parts":[{"text":\#(jsonString(piece))}],"role":"model"}\#(finish),"index":0}]\#(usage),"modelVersion":"gemini-2.0-flash","responseId":"fx1"}"# + "\r\n\r\n"
        }
        return out
    }

    /// A whole `functionCall` part with its `thoughtSignature`, then the closing frame with usage.
    public static func geminiFunctionCall(name: String, argsJSON: String, thoughtSignature: String = "CiQBVKhc7sig") -> String {
        #"data: {"candidates":[{"content":{"parts":[{"functionCall":{"name":"\#(name)","args":\#(argsJSON)},"thoughtSignature":"\#(thoughtSignature)"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":30,"totalTokenCount":30},"modelVersion":"gemini-2.5-flash"}"# + "\r\n\r\n"
            + #"data: {"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":30,"candidatesTokenCount":8,"thoughtsTokenCount":20,"cachedContentTokenCount":4,"totalTokenCount":58},"modelVersion":"gemini-2.5-flash"}"# + "\r\n\r\n"
    }

    /// A Google error object inside a 200 stream.
    public static func geminiErrorFrame(code: Int = 503, status: String = "UNAVAILABLE",
                                        message: String = "The model is overloaded. Please try again later.") -> String {
        #"data: {"error":{"code":\#(code),"message":\#(jsonString(message)),"status":"\#(status)"}}"# + "\r\n\r\n"
    }

    // MARK: Scripted server actions

    /// A 200 `text/event-stream` head, then `sse` in `chunkSize`-byte body pieces.
    public static func scripted(_ sse: String, chunkSize: Int = 64, headers: [(String, String)] = []) -> [ScriptedAction] {
        let bytes = Array(sse.utf8)
        var actions: [ScriptedAction] = [.head(status: 200, headers: [("Content-Type", "text/event-stream")] + headers)]
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + max(1, chunkSize))
            actions.append(.body(Array(bytes[start..<end])))
            start = end
        }
        return actions
    }

    /// A JSON string literal for `text` (quotes, backslashes and control characters escaped).
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
