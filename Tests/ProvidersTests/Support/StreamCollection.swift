import Providers

/// Everything one LLM stream produced: its events and the error that ended it, if any.
struct StreamResult {
    var events: [LLMEvent] = []
    var error: (any Error)?

    var providerError: ProviderError? { error as? ProviderError }
    var text: String {
        events.compactMap { if case .textDelta(let text) = $0 { text } else { nil } }.joined()
    }
    var toolCalls: [ToolCall] {
        events.compactMap { if case .toolCall(let call) = $0 { call } else { nil } }
    }
    var usage: Usage? {
        events.compactMap { if case .usage(let usage) = $0 { usage } else { nil } }.last
    }
    var finish: FinishReason? {
        events.compactMap { if case .finish(let reason) = $0 { reason } else { nil } }.last
    }
}

func collect(_ stream: AsyncThrowingStream<LLMEvent, any Error>) async -> StreamResult {
    var result = StreamResult()
    do {
        for try await event in stream { result.events.append(event) }
    } catch {
        result.error = error
    }
    return result
}

