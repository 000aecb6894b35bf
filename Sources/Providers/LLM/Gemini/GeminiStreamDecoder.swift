import Foundation
import Transport

/// Decodes Gemini `streamGenerateContent?alt=sse`: every event is a whole `GenerateContentResponse`.
///
/// There is no `[DONE]`: the end of the body ends the answer, so an answer is complete only if some
/// frame carried a `finishReason`. Function calls arrive whole; they get a minted id (Gemini has none
/// to give) and keep their `thoughtSignature` in `providerMetadata` for replay.
struct GeminiStreamDecoder: LLMStreamDecoder {
    let classifier: ErrorClassifier

    let isComplete = false  // only the end of the body completes a Gemini stream
    private var finishReason: FinishReason?
    private var usage: Usage?
    private var emittedToolCall = false

    init(classifier: ErrorClassifier) { self.classifier = classifier }

    mutating func decode(_ event: SSEEvent) throws(ProviderError) -> [LLMEvent] {
        guard let json = JSONValue(parsing: event.data) else {
            throw classifier.error(.malformedResponse, "unparseable stream frame: \(event.data.prefix(200))")
        }
        // Errors may come as an object or wrapped in a one-element array.
        let frame = json.arrayValue?.first ?? json
        guard case .object = frame else {
            throw classifier.error(.malformedResponse, "unexpected stream frame: \(event.data.prefix(200))")
        }
        if frame["error"] != nil { throw classifier.classify(streamError: frame) }
        if let metadata = frame["usageMetadata"], case .object = metadata { usage = Self.usage(metadata) }
        var out: [LLMEvent] = []
        let candidate = frame["candidates"]?.arrayValue?.first
        for part in candidate?["content"]?["parts"]?.arrayValue ?? [] {
            if part["thought"]?.boolValue == true { continue }  // thought summaries are not spoken
            if let text = part["text"]?.stringValue, !text.isEmpty { out.append(.textDelta(text)) }
            if let call = part["functionCall"] {
                var metadata: [String: String] = [:]
                if let signature = part["thoughtSignature"]?.stringValue {
                    metadata[GeminiRequestEncoder.thoughtSignatureKey] = signature
                }
                let id = call["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? ToolCallID.mint()
                let arguments = call["args"].map { $0 == .null ? "{}" : $0.jsonText } ?? "{}"
                out.append(.toolCall(ToolCall(id: id, name: call["name"]?.stringValue ?? "", arguments: arguments,
                                              providerMetadata: metadata)))
                emittedToolCall = true
            }
        }
        if let reason = candidate?["finishReason"]?.stringValue {
            finishReason = Self.finishReason(reason, hadToolCalls: emittedToolCall)
        } else if frame["promptFeedback"]?["blockReason"]?.stringValue != nil, candidate == nil {
            finishReason = .contentFilter  // the prompt itself was blocked; no candidate will come
        }
        return out
    }

    mutating func endOfStream() throws(ProviderError) -> [LLMEvent] {
        guard let reason = finishReason else { throw classifier.error(.network, "stream ended early") }
        return (usage.map { [LLMEvent.usage($0)] } ?? []) + [.finish(reason)]
    }

    /// Thinking tokens are billed as output, so they count as output here.
    static func usage(_ json: JSONValue) -> Usage {
        Usage(inputTokens: json["promptTokenCount"]?.intValue ?? 0,
              outputTokens: (json["candidatesTokenCount"]?.intValue ?? 0) + (json["thoughtsTokenCount"]?.intValue ?? 0),
              cachedTokens: json["cachedContentTokenCount"]?.intValue ?? 0)
    }

    /// Gemini says STOP after function calls; the agent needs `.toolCalls` there.
    static func finishReason(_ raw: String, hadToolCalls: Bool) -> FinishReason {
        switch raw {
        case "STOP": hadToolCalls ? .toolCalls : .stop
        case "MAX_TOKENS": .length
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE":
            .contentFilter
        default: .other
        }
    }
}
