import Providers
import Synchronization

/// An LLM double for agent and session tests: each call plays one script (text and tool calls)
/// and every request is recorded, so a test can drive turns and check what the model was sent.
/// Text is streamed word by word, as providers stream. (Router tests use their own double with
/// waits, stalls and failures.)
public final class ScriptedTurnLLM: LLM, Sendable {
    public enum Step: Sendable {
        case text(String)
        case tool(ToolCall)
    }

    public let providerName = "scripted"
    public var model: String { get async { "scripted-model" } }
    private let script: @Sendable (_ call: Int, _ request: LLMRequest) -> [Step]
    private let recorded = Mutex<[LLMRequest]>([])

    public init(script: @escaping @Sendable (_ call: Int, _ request: LLMRequest) -> [Step]) { self.script = script }

    /// Answers call N with `replies[N]` (the last one for every later call).
    public convenience init(replies: [String]) {
        self.init { call, _ in [.text(replies[min(call, replies.count - 1)])] }
    }

    public var requests: [LLMRequest] { recorded.withLock { $0 } }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        let call = recorded.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        let steps = script(call, request)
        return AsyncThrowingStream { continuation in
            for step in steps {
                switch step {
                case .text(let text):
                    for (index, word) in text.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
                        continuation.yield(.textDelta(index == 0 ? String(word) : " " + word))
                    }
                case .tool(let call):
                    continuation.yield(.toolCall(call))
                }
            }
            continuation.yield(.finish(.stop))
            continuation.finish()
        }
    }
}

extension ToolCall {
    /// A call with an id derived from the name, for scripts.
    public static func call(_ name: String, _ arguments: String = "{}", id: String? = nil) -> ToolCall {
        ToolCall(id: id ?? "call_\(name)", name: name, arguments: arguments)
    }
}
