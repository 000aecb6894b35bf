import Foundation
import SteadfastConfig

/// Loads every `*.yaml` / `*.yml` agent file of a directory (by default `agents/`).
///
/// The format (keys are snake_case; unknown keys are errors, so typos are caught):
///
///     name: receptionist                 # required; LiveKit agent_name, no spaces
///     instructions: |                    # required; the system prompt
///       You are the front desk of ...
///     greeting: Thanks for calling!      # optional; said on entering
///     tools: [getWeather, getModelInfo, switchModel]   # built-in tools by name
///     webhooks:                          # HTTP tools
///       - name: captureLead              # letters, digits, _ or -
///         description: Saves a sales lead
///         url: ${LEAD_WEBHOOK_URL}       # ${VAR} from the environment
///         method: POST                   # GET, POST, PUT, PATCH, DELETE (GET/DELETE send a query string)
///         headers: {Authorization: Bearer ${CRM_API_KEY}}   # values are secrets, never logged
///         timeout: 8s
///         parameters: {type: object, properties: {name: {type: string}}, required: [name]}
///     llm: {chain: default}              # or llm: openrouter, or llm: {models: [a, b]}
///     voice: en-us
///     turn: {min_endpointing_delay: 0.5, max_endpointing_delay: 3.0, min_interruption_duration: 0.5}
///
/// One bad file never stops the others: the result carries the agents that loaded plus one
/// error per file that did not, each naming the file and field, ready to print at startup.
public struct AgentFileLoader: Sendable {
    public var directory: URL
    /// Where `${VAR}` references are resolved (usually `ConfigurationLoader().variables()`).
    public var environment: [String: String]
    public var builtInToolNames: Set<String>

    public init(directory: URL = URL(fileURLWithPath: "agents"), environment: [String: String],
                builtInToolNames: Set<String> = Set(BuiltInTools.names)) {
        self.directory = directory
        self.environment = environment
        self.builtInToolNames = builtInToolNames
    }

    public struct LoadResult: Sendable {
        public var definitions: [AgentDefinition]
        public var errors: [AgentError]
        /// Things that load but will not fully work yet (an unset webhook URL).
        public var warnings: [String]
    }

    /// Loads the directory; a missing directory is simply no agents.
    public func load() -> LoadResult {
        var result = LoadResult(definitions: [], errors: [], warnings: [])
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let url = directory.appendingPathComponent(name)
            let file = "\(directory.lastPathComponent)/\(name)".escapingUnprintable
            do throws(AgentError) {
                // Bounded (1 MiB) and strict UTF-8; the YAML limits apply when it is parsed.
                let text: String
                do { text = try TextFile.read(url.path, name: "") } catch {
                    throw AgentError(.unreadableFile, error.message, file: file, underlying: error)
                }
                let (definition, warnings) = try parse(text, file: file)
                if let earlier = result.definitions.first(where: { $0.name == definition.name }) {
                    throw AgentError(.duplicateName, "agent \"\(definition.name)\" is already defined in \(earlier.file)",
                                     file: file, field: "name")
                }
                result.definitions.append(definition)
                result.warnings += warnings
            } catch {
                result.errors.append(error)
            }
        }
        return result
    }

    /// Refuses an agents directory that the user named but that is missing or not a directory.
    /// A missing default directory is fine (no agents), so `required` is false for the default.
    public static func checkDirectory(_ path: String, required: Bool) throws(AgentError) {
        var isDirectory: ObjCBool = false
        let shown = path.escapingUnprintable
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            if required { throw AgentError(.unreadableFile, "no such directory: \(shown) (--agents-directory)") }
            return
        }
        guard isDirectory.boolValue else {
            throw AgentError(.unreadableFile, "\(shown) is a file, not a directory of agent files (--agents-directory)")
        }
    }

    /// Parses one file's text (also for tests and for files that do not live in a directory).
    public func parse(_ text: String, file: String) throws(AgentError) -> (definition: AgentDefinition, warnings: [String]) {
        try AgentDefinitionParser(file: file, environment: environment, builtInToolNames: builtInToolNames).parse(text)
    }
}
