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
@Suite("Scripted conversations", .timeLimit(.minutes(2)))
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
