import Logging
import Providers

/// A session control with fixed values: for console text mode, tests and tools run outside a session.
public struct StaticSessionControl: AgentSessionControl {
    public let llm: any LLM
    public let agentName: String
    public let logger: Logger
    private let onSay: @Sendable (String) async -> Void

    /// `onSay` receives what the agent says outside an LLM turn (the console prints it).
    public init(llm: any LLM, agentName: String, logger: Logger = Logger(label: "steadfast.agents"),
                onSay: @escaping @Sendable (String) async -> Void = { _ in }) {
        self.llm = llm
        self.agentName = agentName
        self.logger = logger
        self.onSay = onSay
    }

    public func say(_ text: String) async { await onSay(text) }
}
