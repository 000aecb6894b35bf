import Agents
import Foundation
import Logging
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// Whole turns over real sockets: the OpenAI-compatible adapter against a scripted LLM server, and
/// the weather tool against a server speaking Open-Meteo's format.
@Suite("Scripted conversations")
struct ConversationTests {
    @Test func theModelCallsGetWeatherAndTheAnswerMentionsTheTemperature() async throws {
        let weather = try WeatherToolTests.server()
        defer { weather.stop() }
        let llmServer = try ScriptedHTTPServer(responses: [
            ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIToolCalls([
                .init(id: "call_w1", name: "getWeather", argumentFragments: [#"{"loca"#, #"tion":"Paris"}"#]),
            ]))),
            ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(
                ["It's 12 degrees", " and overcast in Paris."]))),
        ])
        defer { llmServer.stop() }
        let transport = try CurlHTTPClient()
        let llm = OpenAICompatibleLLM(preset: .openAI, model: "gpt-4o-mini", apiKey: Secret("sk-test-0123456789abcdef"),
                                      baseURL: llmServer.baseURL, transport: transport)
        let agent = try #require(try AgentRegistry.assistant(transport: transport, weather: weather))
        var context = ChatContext(instructions: agent.instructions)
        context.append(.user("What's the weather in Paris?"))
        let outcome = try await ToolLoop().run(llm: llm, request: context.request(tools: agent.tools), tools: agent.tools,
                                               context: ToolContext(agentName: agent.name, logger: Logger(label: "test")))
        #expect(outcome.text == "It's 12 degrees and overcast in Paris.")
        // Server side: the second request carried the tool result back to the model.
        let second = try #require(llmServer.requests.dropFirst().first.flatMap { JSONValue(parsing: $0.bodyText) })
        let toolMessage = try #require(second["messages"]?.arrayValue?.last)
        #expect(toolMessage["role"] == .string("tool"))
        #expect(toolMessage["tool_call_id"] == .string("call_w1"))
        #expect(toolMessage["content"]?.stringValue?.contains("12°C") == true)
        #expect(weather.requests.count == 2)
    }

    @Test func aHandoffKeepsTheConversationAndChangesTheInstructions() async throws {
        struct Front: VoiceAgent {
            let name = "front"
            let instructions = "You greet callers."
            var tools: [any Tool] {
                [TypedTool(name: "toSales", description: "Hands over to sales",
                           output: { (_: Empty, _) in .handoff(SalesAgent(), message: "Handing you to sales") })]
            }
        }
        struct Empty: Decodable, Sendable {}
        let llm = ScriptedTurnLLM { call, _ in
            call == 0 ? [.tool(.call("toSales"))] : [.text("Sales here, what would you like?")]
        }
        var agent: any VoiceAgent = Front()
        var context = ChatContext(instructions: agent.instructions)
        context.append(.user("I want to buy panels"))
        let loop = ToolLoop()
        let first = try await loop.run(llm: llm, request: context.request(tools: agent.tools), tools: agent.tools,
                                       context: ToolContext(agentName: agent.name, logger: Logger(label: "test")))
        context.append(contentsOf: first.newMessages)
        // What the session does on a handoff: swap the agent, keep the context, replace the instructions.
        agent = try #require(first.handoff?.agent)
        context.setInstructions(agent.instructions)
        let second = try await loop.run(llm: llm, request: context.request(tools: agent.tools), tools: agent.tools,
                                        context: ToolContext(agentName: agent.name, logger: Logger(label: "test")))
        #expect(second.text == "Sales here, what would you like?")
        let request = try #require(llm.requests.last)
        #expect(request.messages.first == .system("You sell things."))
        #expect(request.messages.contains(.user("I want to buy panels")))
        #expect(request.messages.last?.content == "Handing you to sales")
        #expect(request.tools.isEmpty)
    }
}

extension AgentRegistry {
    /// The shipped assistant, with its weather tool pointed at `weather`.
    static func assistant(transport: any HTTPTransport, weather: ScriptedHTTPServer) throws -> (any VoiceAgent)? {
        let registry = AgentRegistry()
        let loader = AgentFileLoader(directory: DeclarativeAgentTests.repositoryAgents, environment: [:])
        let builtIns = BuiltInTools(transport: transport, weather: OpenMeteoConfiguration(
            geocodingBaseURL: weather.baseURL, forecastBaseURL: weather.baseURL))
        _ = registry.loadAgents(from: loader, builtIns: builtIns, transport: transport)
        return registry.makeAgent(named: "assistant")
    }
}
