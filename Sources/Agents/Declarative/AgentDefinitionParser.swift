import Foundation
import Providers
import SteadfastConfig
import Yams

/// Turns one agent file's text into a validated `AgentDefinition`.
///
/// Every problem is an `AgentError` naming the file, the field path and the line; unset `${VAR}`
/// references are not errors but warnings, so an agent loads even before its webhook is set up.
struct AgentDefinitionParser {
    let file: String
    let environment: [String: String]
    let builtInToolNames: Set<String>

    static let topLevelKeys: Set<String> = ["name", "instructions", "greeting", "tools", "webhooks", "llm", "voice", "turn"]
    static let webhookKeys: Set<String> = ["name", "description", "url", "method", "parameters", "headers", "timeout"]
    static let turnKeys: Set<String> = ["min_endpointing_delay", "max_endpointing_delay", "min_interruption_duration"]
    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    private var reader: YAMLNodeReader { YAMLNodeReader(file: file) }

    func parse(_ text: String) throws(AgentError) -> (definition: AgentDefinition, warnings: [String]) {
        let root: Node?
        do {
            // Bounded: size, nesting depth and alias expansion (a file of nested anchors is refused, not expanded).
            root = try YAMLDocument.compose(text, file: nil)
        } catch {
            throw AgentError(.unreadableFile, error.message, file: file, underlying: error)
        }
        guard let root else { throw AgentError(.invalidDefinition, "the file is empty", file: file) }
        let top = try reader.mapping(root, "", allowed: Self.topLevelKeys)

        guard let name = try reader.string(top, "name", "name", required: true) else { throw reader.failure("name", nil, "is required") }
        guard !name.contains(where: \.isWhitespace) else {
            throw reader.failure("name", top["name"], "\"\(name)\" must not contain spaces (it is the LiveKit agent_name)")
        }
        guard let instructions = try reader.string(top, "instructions", "instructions", required: true) else {
            throw reader.failure("instructions", nil, "is required")
        }
        let tools = try reader.strings(top, "tools", "tools")
        for (index, tool) in tools.enumerated() where !builtInToolNames.contains(tool) {
            throw reader.failure("tools[\(index)]", top["tools"]?.sequence?[index],
                                 "unknown built-in tool \"\(tool)\"; known: \(builtInToolNames.sorted().joined(separator: ", "))")
        }
        var warnings: [String] = []
        var webhooks: [WebhookToolDefinition] = []
        if let node = top["webhooks"], node.null == nil {
            guard let sequence = node.sequence else { throw reader.failure("webhooks", node, "expected a list of tools") }
            for (index, item) in sequence.enumerated() {
                let (webhook, warning) = try parseWebhook(item, field: "webhooks[\(index)]")
                guard !tools.contains(webhook.name), !webhooks.contains(where: { $0.name == webhook.name }) else {
                    throw reader.failure("webhooks[\(index)].name", item, "a tool named \"\(webhook.name)\" is already defined")
                }
                webhooks.append(webhook)
                warnings += warning
            }
        }
        let preferences = AgentPreferences(llm: try parseLLM(top["llm"]), voice: try reader.string(top, "voice", "voice"),
                                           turn: try parseTurn(top["turn"]))
        let definition = AgentDefinition(name: name, instructions: instructions,
                                         greeting: try reader.string(top, "greeting", "greeting"), builtInTools: tools,
                                         webhooks: webhooks, preferences: preferences, file: file)
        return (definition, warnings)
    }

    private func parseWebhook(_ node: Node, field: String) throws(AgentError) -> (WebhookToolDefinition, [String]) {
        let mapping = try reader.mapping(node, field, allowed: Self.webhookKeys)
        guard let name = try reader.string(mapping, "name", "\(field).name", required: true) else {
            throw reader.failure("\(field).name", node, "is required")
        }
        guard name.range(of: #"^[A-Za-z_][A-Za-z0-9_-]{0,63}$"#, options: .regularExpression) != nil else {
            throw reader.failure("\(field).name", mapping["name"], "\"\(name)\" must be letters, digits, _ or - (at most 64)")
        }
        guard let description = try reader.string(mapping, "description", "\(field).description", required: true) else {
            throw reader.failure("\(field).description", node, "is required")
        }
        let method = (try reader.string(mapping, "method", "\(field).method") ?? "POST").uppercased()
        guard Self.methods.contains(method) else {
            throw reader.failure("\(field).method", mapping["method"],
                                 "\"\(method)\" is not one of \(Self.methods.joined(separator: ", "))")
        }
        var missing: [String] = []
        guard let urlTemplate = try reader.string(mapping, "url", "\(field).url", required: true) else {
            throw reader.failure("\(field).url", node, "is required")
        }
        guard let expanded = EnvironmentTemplate.expand(urlTemplate, environment: environment) else {
            throw reader.failure("\(field).url", mapping["url"], "has a malformed ${VARIABLE} reference")
        }
        var url: URL?
        if expanded.missing.isEmpty {
            guard let parsed = URL(string: expanded.value), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
                  parsed.host?.isEmpty == false else {
                throw reader.failure("\(field).url", mapping["url"], "is not an http(s) URL")
            }
            url = parsed
        }
        missing += expanded.missing
        var headers: [(name: String, value: Secret)] = []
        var headerMissing: [String] = []
        if let headerNode = mapping["headers"], headerNode.null == nil {
            guard let headerMap = headerNode.mapping else { throw reader.failure("\(field).headers", headerNode, "expected a mapping") }
            for (key, value) in headerMap {
                let header = key.string ?? ""
                // Values are never echoed: they may hold a resolved secret.
                guard let template = value.scalar?.string,
                      let resolved = EnvironmentTemplate.expand(template, environment: environment) else {
                    throw reader.failure("\(field).headers.\(header)", value, "expected text, with well-formed ${VARIABLE} references")
                }
                // A header whose variable is unset is left out rather than sent half-empty ("Bearer ").
                if resolved.missing.isEmpty { headers.append((header, Secret(resolved.value))) }
                headerMissing += resolved.missing
            }
        }
        var parameters: JSONValue = .object(["type": .string("object"), "properties": .object([:])])
        if let schemaNode = mapping["parameters"], schemaNode.null == nil {
            parameters = YAMLNodeReader.json(schemaNode)
            guard case .object(let object) = parameters, object["type"] == nil || object["type"] == .string("object"),
                  object["properties"] == nil || object["properties"]?.objectValue != nil else {
                throw reader.failure("\(field).parameters", schemaNode,
                                     "expected a JSON Schema object (type: object, properties: {...})")
            }
            var complete = object
            complete["type"] = .string("object")
            if complete["properties"] == nil { complete["properties"] = .object([:]) }
            parameters = .object(complete)
        }
        let timeout = try reader.duration(mapping, "timeout", "\(field).timeout") ?? .seconds(8)
        let unique = missing.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var warnings: [String] = []
        if !unique.isEmpty {
            warnings.append("\(file): \(field).url (\(name)): \(unique.joined(separator: ", ")) not set; "
                            + "the tool will report itself unavailable")
        }
        if !headerMissing.isEmpty {
            warnings.append("\(file): \(field).headers (\(name)): \(headerMissing.joined(separator: ", ")) not set; "
                            + "those headers are left out")
        }
        return (WebhookToolDefinition(name: name, description: description, url: unique.isEmpty ? url : nil, method: method,
                                      parameters: parameters, headers: headers, timeout: timeout,
                                      missingVariables: unique), warnings)
    }

    /// `llm: openrouter`, `llm: {chain: bulletproof}` or `llm: {models: [a, b]}`.
    private func parseLLM(_ node: Node?) throws(AgentError) -> LLMPreference? {
        guard let node, node.null == nil else { return nil }
        if let scalar = node.scalar { return try chain(scalar.string, node: node, field: "llm") }
        let mapping = try reader.mapping(node, "llm", allowed: ["chain", "models"])
        let chainName = try reader.string(mapping, "chain", "llm.chain")
        let models = try reader.strings(mapping, "models", "llm.models")
        switch (chainName, models.isEmpty) {
        case (let name?, true): return try chain(name, node: mapping["chain"], field: "llm.chain")
        case (nil, false): return .models(models)
        case (nil, true): throw reader.failure("llm", node, "expected chain: <name> or models: [...]")
        case (_?, false): throw reader.failure("llm", node, "give either chain or models, not both")
        }
    }

    private func chain(_ name: String, node: Node?, field: String) throws(AgentError) -> LLMPreference {
        guard LLMChainKind(name: name) != nil else {
            throw reader.failure(field, node, "unknown chain \"\(name)\"; use default, bulletproof, openrouter, local or a provider name")
        }
        return .chain(name)
    }

    private func parseTurn(_ node: Node?) throws(AgentError) -> TurnSettings? {
        guard let node, node.null == nil else { return nil }
        let mapping = try reader.mapping(node, "turn", allowed: Self.turnKeys)
        var turn = TurnSettings()
        if let value = try reader.duration(mapping, "min_endpointing_delay", "turn.min_endpointing_delay") {
            turn.minEndpointingDelay = value
        }
        if let value = try reader.duration(mapping, "max_endpointing_delay", "turn.max_endpointing_delay") {
            turn.maxEndpointingDelay = value
        }
        if let value = try reader.duration(mapping, "min_interruption_duration", "turn.min_interruption_duration") {
            turn.minInterruptionDuration = value
        }
        guard turn.minEndpointingDelay <= turn.maxEndpointingDelay else {
            throw reader.failure("turn.max_endpointing_delay", mapping["max_endpointing_delay"],
                                 "must not be shorter than min_endpointing_delay")
        }
        return turn
    }
}
