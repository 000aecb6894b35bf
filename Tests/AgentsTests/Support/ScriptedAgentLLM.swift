import Foundation
import Providers
import Synchronization

/// An LLM double that plays one script per call and records every request, so tests can drive
/// `ToolLoop` step by step and check what the model was sent.
final class ScriptedAgentLLM: LLM, Sendable {
    enum Step: Sendable {
        case text(String)
        case tool(ToolCall)
    }

    let providerName = "scripted"
    var model: String { get async { "scripted-model" } }
    private let script: @Sendable (_ call: Int, _ request: LLMRequest) -> [Step]
    private let recorded = Mutex<[LLMRequest]>([])

    init(script: @escaping @Sendable (_ call: Int, _ request: LLMRequest) -> [Step]) { self.script = script }

    var requests: [LLMRequest] { recorded.withLock { $0 } }

    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        let call = recorded.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        let steps = script(call, request)
        return AsyncThrowingStream { continuation in
            for step in steps {
                switch step {
                case .text(let text): continuation.yield(.textDelta(text))
                case .tool(let call): continuation.yield(.toolCall(call))
                }
            }
            continuation.yield(.finish(.stop))
            continuation.finish()
        }
    }
}

extension ToolCall {
    static func call(_ name: String, _ arguments: String = "{}", id: String? = nil) -> ToolCall {
        ToolCall(id: id ?? "call_\(name)", name: name, arguments: arguments)
    }
}
