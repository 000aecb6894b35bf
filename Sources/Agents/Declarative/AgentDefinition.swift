import Foundation
import Providers
import SteadfastConfig

/// One agent as declared in `agents/<name>.yaml`, validated, with `${VAR}` references resolved.
public struct AgentDefinition: Sendable {
    public var name: String
    public var instructions: String
    public var greeting: String?
    /// Built-in tools to enable, by name (see `BuiltInTools.names`).
    public var builtInTools: [String]
    public var webhooks: [WebhookToolDefinition]
    public var preferences: AgentPreferences
    /// The file it came from, for messages.
    public var file: String

    public init(name: String, instructions: String, greeting: String? = nil, builtInTools: [String] = [],
                webhooks: [WebhookToolDefinition] = [], preferences: AgentPreferences = AgentPreferences(),
                file: String) {
        self.name = name
        self.instructions = instructions
        self.greeting = greeting
        self.builtInTools = builtInTools
        self.webhooks = webhooks
        self.preferences = preferences
        self.file = file
    }
}

/// An HTTP endpoint the model can call as a tool (a CRM, a booking system, a lead inbox).
public struct WebhookToolDefinition: Sendable {
    public var name: String
    public var description: String
    /// nil when the URL references an unset variable: the tool then tells the model it is unavailable.
    public var url: URL?
    /// GET, POST, PUT, PATCH or DELETE.
    public var method: String
    /// JSON Schema of the arguments object.
    public var parameters: JSONValue
    /// Header values are `Secret`s: they often carry API keys and must never reach a log.
    public var headers: [(name: String, value: Secret)]
    public var timeout: Duration
    /// Variables the URL references that were not set when the file was loaded.
    public var missingVariables: [String]

    public init(name: String, description: String, url: URL?, method: String = "POST",
                parameters: JSONValue = .object(["type": .string("object"), "properties": .object([:])]),
                headers: [(name: String, value: Secret)] = [], timeout: Duration = .seconds(8),
                missingVariables: [String] = []) {
        self.name = name
        self.description = description
        self.url = url
        self.method = method
        self.parameters = parameters
        self.headers = headers
        self.timeout = timeout
        self.missingVariables = missingVariables
    }
}
