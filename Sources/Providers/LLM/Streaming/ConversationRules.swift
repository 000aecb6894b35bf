/// Conversation rules the vendors share, applied when a request is built (docs/providers.md).
///
/// A voice agent's history breaks them in ordinary use: it starts with the agent's greeting (Anthropic
/// and Gemini reject a first turn that is not the user's), a barge-in can leave a tool call without its
/// result, and a result can be appended after the user's next words. Every vendor rejects a call
/// without its result or a result without its call (OpenAI "tool_calls must be followed by tool
/// messages", Anthropic "tool_use ids were found without tool_result blocks immediately after", Gemini
/// "number of function response parts is equal to the number of function call parts"), so the encoders
/// render `pairingToolResults(_:)` of the history, never the raw one.
enum ConversationRules {
    /// The user turn put before a history that opens with the assistant (the greeting): it keeps the
    /// greeting in the model's context, in order, as an answer to the call starting rather than as a
    /// system-prompt paraphrase, and never pretends the caller said words they did not say.
    static let openingUserTurn = "(The call has started.)"

    /// What a tool call whose result never came (interrupted, cancelled) is answered with.
    static let missingToolResult = "error: no result, the call was interrupted before the tool finished"

    /// The history with every tool call's result directly after the assistant message that made it,
    /// in call order. A call without a result gets `missingToolResult`; a result whose call is not in
    /// the history is dropped (no vendor accepts it, and its call's context is gone anyway).
    static func pairingToolResults(_ messages: [ChatMessage]) -> [ChatMessage] {
        var results: [String: ChatMessage] = [:]
        for message in messages where message.role == .tool {
            if let id = message.toolCallID, results[id] == nil { results[id] = message }
        }
        var paired: [ChatMessage] = []
        paired.reserveCapacity(messages.count)
        for message in messages {
            switch message.role {
            case .tool:
                continue  // placed right after its call below
            case .assistant where !message.toolCalls.isEmpty:
                paired.append(message)
                for call in message.toolCalls {
                    if let result = results.removeValue(forKey: call.id) {
                        paired.append(result)
                    } else {
                        paired.append(.toolResult(callID: call.id, name: call.name, content: missingToolResult))
                    }
                }
            default:
                paired.append(message)
            }
        }
        return paired
    }

    /// Turns that alternate between `userRole` and the other role and start with `userRole`: parts of
    /// same-role neighbours are merged, empty turns dropped, and `opening` becomes the first user turn
    /// when the history starts with the model (or has no turn at all, which both vendors reject).
    static func alternatingTurns<Part>(_ turns: [(role: String, parts: [Part])], userRole: String,
                                       opening: Part) -> [(role: String, parts: [Part])] {
        var merged: [(role: String, parts: [Part])] = []
        for turn in turns where !turn.parts.isEmpty {
            if merged.last?.role == turn.role {
                merged[merged.count - 1].parts += turn.parts
            } else {
                merged.append(turn)
            }
        }
        if merged.first?.role != userRole { merged.insert((userRole, [opening]), at: 0) }
        return merged
    }

    /// Whether `text` would be an empty text block, which Anthropic rejects ("text content blocks must
    /// contain non-whitespace text") and Gemini answers with an empty-part error.
    static func isBlank(_ text: String) -> Bool { !text.contains { !$0.isWhitespace } }
}
