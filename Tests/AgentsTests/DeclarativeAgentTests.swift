import Agents
import Foundation
import Logging
import Providers
import TestSupport
import Testing
import Transport

@Suite("Declarative agents")
struct DeclarativeAgentTests {
    static let repositoryAgents = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("agents")

    static func directory(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return url
    }

    @Test func theShippedAgentsLoadAndRegister() throws {
        let loader = AgentFileLoader(directory: Self.repositoryAgents,
                                     environment: ["LEAD_WEBHOOK_URL": "https://crm.example/leads"])
        let registry = AgentRegistry()
        let result = registry.loadAgents(from: loader, builtIns: BuiltInTools(transport: try CurlHTTPClient()),
                                         transport: try CurlHTTPClient())
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(Set(registry.names) == ["assistant", "receptionist"])
        let assistant = try #require(registry.makeAgent(named: "assistant"))
        #expect(assistant.tools.map(\.name) == ["getWeather", "getModelInfo", "switchModel"])
        #expect(assistant.greeting?.isEmpty == false)
        #expect(assistant.preferences.llm == .chain("default"))
        let receptionist = try #require(registry.makeAgent(named: "receptionist"))
        #expect(receptionist.tools.map(\.name) == ["captureLead"])
        #expect(receptionist.preferences.turn?.minEndpointingDelay == .milliseconds(600))
        // LEAD_WEBHOOK_TOKEN is unset: loads, with a warning that the header is left out.
        #expect(result.warnings.contains { $0.contains("LEAD_WEBHOOK_TOKEN") })
    }

    static let valid = """
        name: concierge
        instructions: Help hotel guests.
        greeting: Good evening.
        tools: [getWeather]
        llm:
          models: [google/gemini-2.0-flash, anthropic/claude-3.5-haiku]
        voice: en-gb
        turn:
          min_endpointing_delay: 400ms
          max_endpointing_delay: 2.5
        """

    @Test(arguments: [
        ("bad-method.yaml", """
            name: crm
            instructions: x
            webhooks:
              - name: save
                description: Saves
                url: https://crm.example/save
                method: FETCH
            """, "webhooks[0].method"),
        ("typo.yaml", "name: typo\ninstructions: x\ngreting: hello\n", "greting"),
        ("no-instructions.yaml", "name: quiet\n", "instructions"),
        ("unknown-tool.yaml", "name: t\ninstructions: x\ntools: [getWeather, teleport]\n", "tools[1]"),
        ("bad-turn.yaml", "name: slow\ninstructions: x\nturn:\n  min_endpointing_delay: soon\n", "turn.min_endpointing_delay"),
        ("bad-chain.yaml", "name: c\ninstructions: x\nllm: quantum\n", "llm"),
        ("bad-url.yaml", "name: u\ninstructions: x\nwebhooks:\n  - {name: a, description: b, url: 'ftp://x'}\n", "webhooks[0].url"),
    ])
    func aBrokenFileNamesFileAndFieldWhileTheOthersLoad(file: String, text: String, field: String) throws {
        let directory = try Self.directory(["concierge.yaml": Self.valid, file: text])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = AgentFileLoader(directory: directory, environment: [:]).load()
        #expect(result.definitions.map(\.name) == ["concierge"])
        let error = try #require(result.errors.first)
        #expect(result.errors.count == 1)
        #expect(error.file == "\(directory.lastPathComponent)/\(file)")
        #expect(error.field == field, "\(error)")
        #expect(error.description.hasPrefix("\(directory.lastPathComponent)/\(file): \(field): "))
    }

    @Test func notYAMLAtAllIsAnErrorToo() throws {
        let directory = try Self.directory(["concierge.yaml": Self.valid, "broken.yaml": "name: [unclosed\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = AgentFileLoader(directory: directory, environment: [:]).load()
        #expect(result.definitions.count == 1)
        #expect(result.errors.first?.code == .unreadableFile)
    }

    @Test func aValidFileKeepsEverything() throws {
        let (definition, warnings) = try AgentFileLoader(environment: [:]).parse(Self.valid, file: "agents/concierge.yaml")
        #expect(warnings.isEmpty)
        #expect(definition.name == "concierge" && definition.greeting == "Good evening.")
        #expect(definition.preferences == AgentPreferences(
            llm: .models(["google/gemini-2.0-flash", "anthropic/claude-3.5-haiku"]), voice: "en-gb",
            turn: TurnSettings(minEndpointingDelay: .milliseconds(400), maxEndpointingDelay: .milliseconds(2500))))
    }

    @Test func swiftAndYAMLShareTheRegistryAndDuplicatesAreReported() throws {
        let registry = AgentRegistry()
        try registry.register(name: "concierge") { SalesAgent() }
        let (definition, _) = try AgentFileLoader(environment: [:]).parse(Self.valid, file: "agents/concierge.yaml")
        let errors = registry.register([definition], builtIns: BuiltInTools(transport: try CurlHTTPClient()),
                                       transport: try CurlHTTPClient())
        #expect(errors.first?.code == .duplicateName)
        #expect(errors.first?.file == "agents/concierge.yaml")
    }
}

@Suite("Webhook tools")
struct WebhookToolTests {
    static let lead = #"{"name":"Ada Lovelace","phone":"+44 20 7946 0000","interest":"solar panels"}"#

    static func receptionist(environment: [String: String]) throws -> (any VoiceAgent, [String]) {
        let loader = AgentFileLoader(directory: DeclarativeAgentTests.repositoryAgents, environment: environment)
        let result = loader.load()
        let definition = try #require(result.definitions.first { $0.name == "receptionist" })
        let registry = AgentRegistry()
        registry.register([definition], builtIns: BuiltInTools(transport: try CurlHTTPClient()), transport: try CurlHTTPClient())
        return (try #require(registry.makeAgent(named: "receptionist")), result.warnings)
    }

    @Test func captureLeadPostsTheArgumentsWithTheHeaderAndNeverLogsIt() async throws {
        let server = try ScriptedHTTPServer(responses: [.json(#"{"ok":true,"lead_id":"L-42"}"#)])
        defer { server.stop() }
        let token = "tok-live-0123456789abcdef"
        let (agent, _) = try Self.receptionist(environment: ["LEAD_WEBHOOK_URL": server.baseURL.absoluteString + "/leads",
                                                             "LEAD_WEBHOOK_TOKEN": token])
        let logs = CapturingLogHandler.Store()
        let context = ToolContext(agentName: "receptionist", logger: CapturingLogHandler.logger(logs))
        let tool = try #require(agent.tools.first)
        let output = try await tool.execute(arguments: try #require(JSONValue(parsing: Self.lead)), context: context)
        #expect(output.resultText == #"{"ok":true,"lead_id":"L-42"}"#)
        let request = try #require(server.requests.first)
        #expect(request.method == "POST" && request.path == "/leads")
        #expect(request.header("Authorization") == "Bearer \(token)")
        #expect(request.header("Content-Type") == "application/json")
        #expect(JSONValue(parsing: request.bodyText) == JSONValue(parsing: Self.lead))
        #expect(!logs.lines.isEmpty)
        #expect(!logs.lines.contains { $0.contains(token) })
    }

    @Test func getSendsTheArgumentsAsAQueryAndLongAnswersAreTruncated() async throws {
        let server = try ScriptedHTTPServer(responses: [.json(String(repeating: "a", count: 5000))])
        defer { server.stop() }
        let tool = WebhookTool(definition: WebhookToolDefinition(
            name: "lookupOrder", description: "Finds an order", url: server.baseURL.appendingPathComponent("orders"),
            method: "GET"), transport: try CurlHTTPClient())
        let output = try await tool.execute(arguments: .object(["id": .string("A 7"), "limit": .number(2)]),
                                            context: ToolContext(agentName: "x", logger: Logger(label: "test")))
        #expect(server.requests.first?.path == "/orders?id=A%207&limit=2")
        #expect(output.resultText.count < 2100)
        #expect(output.resultText.hasSuffix("(truncated)"))
    }

    @Test func anHTTPErrorIsAToolError() async throws {
        let server = try ScriptedHTTPServer(responses: [.json(status: 500, #"{"error":"db down"}"#)])
        defer { server.stop() }
        let (agent, _) = try Self.receptionist(environment: ["LEAD_WEBHOOK_URL": server.baseURL.absoluteString])
        let error = await #expect(throws: ToolError.self) {
            try await agent.tools.first?.execute(arguments: try #require(JSONValue(parsing: Self.lead)),
                                                 context: ToolContext(agentName: "r", logger: Logger(label: "test")))
        }
        #expect(error?.message.contains("HTTP 500") == true)
    }

    @Test func anUnsetURLLoadsWithAWarningAndTheToolSaysItIsUnavailable() async throws {
        let (agent, warnings) = try Self.receptionist(environment: [:])
        #expect(warnings.contains { $0.contains("LEAD_WEBHOOK_URL") })
        let error = await #expect(throws: ToolError.self) {
            try await agent.tools.first?.execute(arguments: .object([:]),
                                                 context: ToolContext(agentName: "r", logger: Logger(label: "test")))
        }
        #expect(error?.message.contains("not set up") == true)
    }
}

/// Issue 9: agent files are bounded like every YAML the program reads, and their errors are one
/// escaped line; a bad file is skipped while the others load.
@Suite("Declarative agents: hostile files")
struct DeclarativeAgentHardeningTests {
    /// Nine levels of nine nested aliases under `webhooks[].parameters`: 9^9 nodes when expanded.
    static let aliasBomb: String = {
        var lines = ["name: bomb", "instructions: x", "webhooks:", "  - name: boom", "    description: b",
                     "    url: https://crm.example/b", "    parameters:",
                     "      l0: &l0 [x, x, x, x, x, x, x, x, x]"]
        for level in 1..<9 {
            lines.append("      l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func anAliasBombIsSkippedQuicklyAndTheOthersLoad() throws {
        let directory = try DeclarativeAgentTests.directory(["concierge.yaml": DeclarativeAgentTests.valid,
                                                              "bomb.yaml": Self.aliasBomb])
        defer { try? FileManager.default.removeItem(at: directory) }
        let start = ContinuousClock.now
        let result = AgentFileLoader(directory: directory, environment: [:]).load()
        // Expanding the bomb would take far longer; 10 s allows a loaded CI machine.
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(result.definitions.map(\.name) == ["concierge"])
        let error = try #require(result.errors.first)
        #expect(result.errors.count == 1)
        #expect(error.code == .unreadableFile)
        #expect(error.description.hasPrefix("\(directory.lastPathComponent)/bomb.yaml: line "))
        #expect(error.description.contains("expand to more than 100000 nodes"))
        #expect(!error.description.contains("\n"))
    }

    @Test func aHugeAgentFileIsSkipped() throws {
        let big = "name: big\ninstructions: " + String(repeating: "x", count: 1 << 20) + "\n"
        let directory = try DeclarativeAgentTests.directory(["concierge.yaml": DeclarativeAgentTests.valid, "big.yaml": big])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = AgentFileLoader(directory: directory, environment: [:]).load()
        #expect(result.definitions.map(\.name) == ["concierge"])
        #expect(result.errors.first?.description.contains("big.yaml: is larger than 1048576 bytes") == true)
    }

    @Test func controlCharactersFromTheFileAreEscaped() throws {
        let text = "name: \"evil\\e[2Jname here\"\ninstructions: x\n"
        #expect {
            try AgentFileLoader(environment: [:]).parse(text, file: "agents/evil.yaml")
        } throws: { error in
            let description = "\(error)"
            return description.contains("\\x1b[2J") && !description.contains("\u{1B}")
        }
    }

    @Test func anUnknownKeySuggestsTheClosestOne() {
        #expect {
            try AgentFileLoader(environment: [:]).parse("name: a\ninstructions: x\ngreting: hi\n", file: "agents/a.yaml")
        } throws: { error in
            "\(error)".hasPrefix("agents/a.yaml: greting: unknown key; did you mean greeting? expected one of")
        }
    }

    @Test func aNamedAgentsDirectoryMustExistAndBeADirectory() throws {
        #expect(throws: AgentError.self) { try AgentFileLoader.checkDirectory("/nonexistent/agents", required: true) }
        try AgentFileLoader.checkDirectory("/nonexistent/agents", required: false)
        #expect {
            try AgentFileLoader.checkDirectory("/etc/hostname", required: false)
        } throws: { error in
            "\(error)" == "/etc/hostname is a file, not a directory of agent files (--agents-directory)"
        }
    }
}
