/// An agent built from a YAML definition: its instructions, greeting, preferences and tools.
public struct DeclaredAgent: VoiceAgent {
    public let definition: AgentDefinition
    public let tools: [any Tool]

    public init(definition: AgentDefinition, tools: [any Tool]) {
        self.definition = definition
        self.tools = tools
    }

    public var name: String { definition.name }
    public var instructions: String { definition.instructions }
    public var greeting: String? { definition.greeting }
    public var preferences: AgentPreferences { definition.preferences }
}
