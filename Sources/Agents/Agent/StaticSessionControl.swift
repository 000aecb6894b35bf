import Logging
import Providers

/// A session control with fixed values: for console text mode, tests and tools run outside a session.
public struct StaticSessionControl: AgentSessionControl {
    public let llm: any LLM
    public let agentName: String
    public let logger: Logger

    public init(llm: any LLM, agentName: String, logger: Logger = Logger(label: "steadfast.agents")) {
        self.llm = llm
        self.agentName = agentName
        self.logger = logger
    }
}
