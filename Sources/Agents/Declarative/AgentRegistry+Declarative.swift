import Foundation
import Transport

extension AgentRegistry {
    /// Registers declared agents with their built-in and webhook tools. Returns one error per
    /// definition that could not be registered (a name Swift code already took); the rest register.
    @discardableResult
    public func register(_ definitions: [AgentDefinition], builtIns: BuiltInTools,
                         transport: any HTTPTransport) -> [AgentError] {
        var errors: [AgentError] = []
        for definition in definitions {
            let tools: [any Tool] = definition.builtInTools.compactMap(builtIns.tool(named:))
                + definition.webhooks.map { WebhookTool(definition: $0, transport: transport) }
            do throws(AgentError) {
                try register(name: definition.name) { DeclaredAgent(definition: definition, tools: tools) }
            } catch {
                errors.append(AgentError(error.code, error.message, file: definition.file, field: "name"))
            }
        }
        return errors
    }

    /// Loads `directory` and registers what loaded: the startup path for `agents/*.yaml`.
    public func loadAgents(from loader: AgentFileLoader, builtIns: BuiltInTools,
                           transport: any HTTPTransport) -> AgentFileLoader.LoadResult {
        var result = loader.load()
        result.errors += register(result.definitions, builtIns: builtIns, transport: transport)
        return result
    }
}
