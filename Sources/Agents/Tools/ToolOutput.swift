/// What a tool gives back: words for the model, or another agent to take over the conversation.
///
/// Tools built with `TypedTool(body:)` return a plain `String`, which becomes `.text`.
public enum ToolOutput: Sendable {
    /// The tool result the model sees.
    case text(String)
    /// Hands the conversation to `agent`. `message` is recorded as the tool result (the model and
    /// transcripts see it); no further step runs for the current agent, the new one answers next.
    case handoff(any VoiceAgent, message: String)

    /// The tool result as the model will read it.
    public var resultText: String {
        switch self {
        case .text(let text): text
        case .handoff(_, let message): message
        }
    }
}
