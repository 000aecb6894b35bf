import Logging
import Providers

/// A function the model may call during a turn.
///
/// Its `parameters` are a JSON Schema object; `TypedTool` derives them from a `Decodable` argument
/// type. `execute` returns the text the model sees as the tool result (or a handoff to another
/// agent); throwing `ToolError` sends that error's message back to the model as the result (so it
/// can apologize or ask again), while any other error is reported as a generic failure.
public protocol Tool: Sendable {
    var name: String { get }
    var description: String { get }
    var parameters: JSONValue { get }
    func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput
}

extension Tool {
    /// The definition sent to the LLM.
    public var definition: ToolDefinition { ToolDefinition(name: name, description: description, parameters: parameters) }
}

/// What a tool can see while it runs.
public struct ToolContext: Sendable {
    /// The agent whose turn this is (its registry name).
    public var agentName: String
    /// The conversation up to this tool call.
    public var messages: [ChatMessage]
    public var logger: Logger
    /// The running session (which LLM answers, how to switch it); nil when a tool runs outside one.
    public var session: (any AgentSessionControl)?

    public init(agentName: String, messages: [ChatMessage] = [], logger: Logger,
                session: (any AgentSessionControl)? = nil) {
        self.agentName = agentName
        self.messages = messages
        self.logger = logger
        self.session = session
    }
}

/// A failure the model should hear about, in words it can pass on ("I couldn't find a place called …").
public struct ToolError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
