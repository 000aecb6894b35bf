import Foundation
import Logging
import Providers

/// One LLM turn with tools: stream the answer, run any tool calls (concurrently, each under a
/// timeout), feed the results back, and repeat, at most `maximumToolSteps` times; then one final
/// step with `tool_choice: none` so the turn always ends in words.
public struct ToolLoop: Sendable {
    public var maximumToolSteps: Int
    public var toolTimeout: Duration

    public init(maximumToolSteps: Int = 3, toolTimeout: Duration = .seconds(10)) {
        self.maximumToolSteps = maximumToolSteps
        self.toolTimeout = toolTimeout
    }

    /// One executed call, for transcripts, logs and tests.
    public struct Invocation: Sendable, Equatable {
        public var call: ToolCall
        public var result: String
        public var failed: Bool
    }

    public struct Outcome: Sendable {
        /// Messages to append to the chat context: assistant tool-call turns, tool results, the final answer.
        public var newMessages: [ChatMessage]
        /// The final spoken answer.
        public var text: String
        public var invocations: [Invocation]
    }

    /// Runs the turn. `onText` receives text deltas as they stream (for the sentence chunker and TTS).
    /// Cancellation (barge-in) stops the LLM and running tools promptly.
    public func run(llm: any LLM, request: LLMRequest, tools: [any Tool], context: ToolContext,
                    onText: @escaping @Sendable (String) async -> Void = { _ in }) async throws -> Outcome {
        let byName = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var messages = request.messages
        var newMessages: [ChatMessage] = []
        var invocations: [Invocation] = []
        var step = 0
        while true {
            try Task.checkCancellation()
            var stepRequest = request
            stepRequest.messages = messages
            stepRequest.tools = tools.map(\.definition)
            let finalStep = step >= maximumToolSteps || tools.isEmpty
            if finalStep { stepRequest.toolChoice = .none }
            if tools.isEmpty { stepRequest.tools = [] }

            var text = ""
            var calls: [ToolCall] = []
            for try await event in llm.stream(stepRequest) {
                switch event {
                case .textDelta(let delta):
                    text += delta
                    await onText(delta)
                case .toolCall(let call):
                    calls.append(call)
                case .usage, .finish:
                    break
                }
            }
            // A provider that ignores tool_choice none on the last step: its calls are not run (nor kept).
            if finalStep { calls = [] }
            let assistant = ChatMessage.assistant(text, toolCalls: calls)
            messages.append(assistant)
            newMessages.append(assistant)
            guard !calls.isEmpty else { return Outcome(newMessages: newMessages, text: text, invocations: invocations) }

            var stepContext = context
            stepContext.messages = messages
            let results = await execute(calls, tools: byName, context: stepContext)
            for invocation in results {
                let message = ChatMessage.toolResult(callID: invocation.call.id, name: invocation.call.name,
                                                     content: invocation.result)
                messages.append(message)
                newMessages.append(message)
            }
            invocations += results
            step += 1
        }
    }

    /// Runs every call at once; results keep the calls' order.
    private func execute(_ calls: [ToolCall], tools: [String: any Tool], context: ToolContext) async -> [Invocation] {
        await withTaskGroup(of: (Int, Invocation).self) { group in
            for (index, call) in calls.enumerated() {
                group.addTask { (index, await self.invoke(call, tool: tools[call.name], context: context)) }
            }
            var results: [(Int, Invocation)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private func invoke(_ call: ToolCall, tool: (any Tool)?, context: ToolContext) async -> Invocation {
        guard let tool else {
            return Invocation(call: call, result: "error: there is no tool called \(call.name)", failed: true)
        }
        guard let arguments = JSONValue(parsing: call.arguments.isEmpty ? "{}" : call.arguments) else {
            return Invocation(call: call, result: "error: the arguments were not valid JSON", failed: true)
        }
        let timeout = toolTimeout
        let logger = context.logger
        do {
            let result = try await withThrowingTaskGroup(of: String.self) { group in
                group.addTask { try await tool.execute(arguments: arguments, context: context) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw ToolError("\(call.name) took longer than \(timeout) and was stopped")
                }
                defer { group.cancelAll() }
                return try await group.next() ?? ""
            }
            logger.info("Tool \(call.name) succeeded", metadata: ["tool.name": "\(call.name)"])
            return Invocation(call: call, result: result, failed: false)
        } catch let error as ToolError {
            logger.info("Tool \(call.name) failed: \(error.message)", metadata: ["tool.name": "\(call.name)"])
            return Invocation(call: call, result: "error: \(error.message)", failed: true)
        } catch {
            logger.warning("Tool \(call.name) failed unexpectedly", metadata: ["tool.name": "\(call.name)"])
            return Invocation(call: call, result: "error: \(call.name) failed; tell the user it is not available right now",
                              failed: true)
        }
    }
}
