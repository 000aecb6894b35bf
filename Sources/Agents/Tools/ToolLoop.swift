import Foundation
import Logging
import Providers

/// One LLM turn with tools: stream the answer, run any tool calls (concurrently, each under a
/// timeout), feed the results back, and repeat, at most `maximumToolSteps` times; then one final
/// step with `tool_choice: none` so the turn always ends in words. A turn that still ends without
/// words (a model that ignores `tool_choice`, or answers empty) throws `AgentError(.noAnswer)`, so the
/// caller hears the session's apology instead of dead air.
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
        /// The agent this call handed the conversation to, if it did.
        public var handoffAgentName: String?
    }

    /// A tool asked for another agent to take over.
    public struct Handoff: Sendable {
        public var agent: any VoiceAgent
        /// The tool result that announced it (already in `newMessages`).
        public var message: String
        public var call: ToolCall
    }

    public struct Outcome: Sendable {
        /// Messages to append to the chat context: assistant tool-call turns, tool results, the final answer.
        public var newMessages: [ChatMessage]
        /// The last step's text: the final spoken answer (or, with a handoff, what was said before it).
        public var text: String
        public var invocations: [Invocation]
        /// Set when a tool handed off: the loop stopped after that tool step, and the session should
        /// switch to `handoff.agent` (keeping the context) and let it answer.
        public var handoff: Handoff?
    }

    /// Runs the turn. `onText` receives text deltas as they stream (for the sentence chunker and TTS);
    /// `onInvocation` each tool call once it has run (for transcripts and consoles).
    /// Cancellation (barge-in) stops the LLM and running tools promptly.
    public func run(llm: any LLM, request: LLMRequest, tools: [any Tool], context: ToolContext,
                    onText: @escaping @Sendable (String) async -> Void = { _ in },
                    onInvocation: @escaping @Sendable (Invocation) async -> Void = { _ in }) async throws -> Outcome {
        let byName = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var messages = request.messages
        var newMessages: [ChatMessage] = []
        var invocations: [Invocation] = []
        var step = 0
        // Whether the words spoken so far end inside a word: the next step's words (after a tool call)
        // then start with a space, or TTS hears "Let me check.It is 18 degrees" (issue 19).
        var spokenEndsInWord = false
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
                    let boundary = text.isEmpty && spokenEndsInWord && !(delta.first?.isWhitespace ?? true)
                    text += delta
                    await onText(boundary ? " " + delta : delta)
                case .toolCall(let call):
                    calls.append(call)
                case .usage, .finish:
                    break
                }
            }
            if let last = text.last { spokenEndsInWord = !last.isWhitespace }
            // A provider that ignores tool_choice none on the last step: its calls are not run (nor kept).
            if finalStep { calls = [] }
            let assistant = ChatMessage.assistant(text, toolCalls: calls)
            messages.append(assistant)
            newMessages.append(assistant)
            guard !calls.isEmpty else {
                guard text.contains(where: { !$0.isWhitespace }) else {
                    throw AgentError(.noAnswer, step == 0 ? "the model answered with no words"
                                     : "the model gave no words after \(step) tool step\(step == 1 ? "" : "s")")
                }
                return Outcome(newMessages: newMessages, text: text, invocations: invocations, handoff: nil)
            }

            var stepContext = context
            stepContext.messages = messages
            let (results, handoff) = Self.singleHandoff(await execute(calls, tools: byName, context: stepContext))
            for invocation in results {
                await onInvocation(invocation)
                let message = ChatMessage.toolResult(callID: invocation.call.id, name: invocation.call.name,
                                                     content: invocation.result)
                messages.append(message)
                newMessages.append(message)
            }
            invocations += results
            // LiveKit's rule: a handoff ends this agent's turn; the new agent speaks next.
            if let handoff {
                return Outcome(newMessages: newMessages, text: text, invocations: invocations, handoff: handoff)
            }
            step += 1
        }
    }

    /// Only one agent can take over per step; later handoffs in the same step become errors (as in LiveKit).
    private static func singleHandoff(_ results: [(Invocation, (any VoiceAgent)?)]) -> ([Invocation], Handoff?) {
        var handoff: Handoff?
        var invocations: [Invocation] = []
        for (invocation, agent) in results {
            var invocation = invocation
            if let agent {
                if let first = handoff {
                    invocation.result = "error: the tool returned more than one agent; \(first.agent.name) takes over"
                    invocation.failed = true
                    invocation.handoffAgentName = nil
                } else {
                    handoff = Handoff(agent: agent, message: invocation.result, call: invocation.call)
                }
            }
            invocations.append(invocation)
        }
        return (invocations, handoff)
    }

    /// Runs every call at once; results keep the calls' order.
    private func execute(_ calls: [ToolCall], tools: [String: any Tool],
                         context: ToolContext) async -> [(Invocation, (any VoiceAgent)?)] {
        await withTaskGroup(of: (Int, Invocation, (any VoiceAgent)?).self) { group in
            for (index, call) in calls.enumerated() {
                group.addTask {
                    let (invocation, agent) = await self.invoke(call, tool: tools[call.name], context: context)
                    return (index, invocation, agent)
                }
            }
            var results: [(Int, Invocation, (any VoiceAgent)?)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
        }
    }

    private func invoke(_ call: ToolCall, tool: (any Tool)?, context: ToolContext) async -> (Invocation, (any VoiceAgent)?) {
        guard let tool else {
            return (Invocation(call: call, result: "error: there is no tool called \(call.name)", failed: true), nil)
        }
        guard let arguments = JSONValue(parsing: call.arguments.isEmpty ? "{}" : call.arguments) else {
            return (Invocation(call: call, result: "error: the arguments were not valid JSON", failed: true), nil)
        }
        let timeout = toolTimeout
        let logger = context.logger
        do {
            let output = try await withThrowingTaskGroup(of: ToolOutput.self) { group in
                group.addTask { try await tool.execute(arguments: arguments, context: context) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw ToolError("\(call.name) took longer than \(timeout) and was stopped")
                }
                defer { group.cancelAll() }
                return try await group.next() ?? .text("")
            }
            logger.info("Tool \(call.name) succeeded", metadata: ["tool.name": "\(call.name)"])
            if case .handoff(let agent, let message) = output {
                return (Invocation(call: call, result: message, failed: false, handoffAgentName: agent.name), agent)
            }
            return (Invocation(call: call, result: output.resultText, failed: false), nil)
        } catch let error as ToolError {
            logger.info("Tool \(call.name) failed: \(error.message)", metadata: ["tool.name": "\(call.name)"])
            return (Invocation(call: call, result: "error: \(error.message)", failed: true), nil)
        } catch {
            logger.warning("Tool \(call.name) failed unexpectedly", metadata: ["tool.name": "\(call.name)"])
            return (Invocation(call: call, result: "error: \(call.name) failed; tell the user it is not available right now",
                               failed: true), nil)
        }
    }
}
