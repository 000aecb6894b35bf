import Foundation
import Providers
import TestSupport
import Testing
import Transport

/// Failures after the caller already heard something: cuts, in-stream error events and garbage,
/// continued on a provider with another wire format without a word said twice.
@Suite("Scenarios: mid-stream failover", .timeLimit(.minutes(2)))
struct MidStreamFailoverScenarios {
    /// How the continuing provider opens its answer: restarting the sentence, overlapping its end, or going straight on.
    @Test(arguments: ["The capital of France is Paris.", "France is Paris.", " Paris."])
    func cutMidSentenceContinuesOnAnthropicWithoutRepeating(continuation: String) async throws {
        let cut = try ScriptedHTTPServer(responses: [Scenario.cutAfter(Scenario.openAIPartial)])
        let anthropic = try ScriptedHTTPServer(responses: [
            Scenario.sse(ProviderWireFixtures.anthropicText(continuation.split(separator: " ", omittingEmptySubsequences: false)
                .enumerated().map { ($0.offset == 0 ? "" : " ") + $0.element })),
        ])
        defer { cut.stop(); anthropic.stop() }
        let transport = try CurlHTTPClient()
        let router = Scenario.router([Scenario.member(Scenario.groq(cut, transport), Scenario.policy(0)),
                                      Scenario.member(Scenario.anthropic(anthropic, transport), Scenario.policy(1))])

        let answer = await Scenario.ask(router)
        Scenario.expectComplete(answer, servedBy: "anthropic")
        #expect(answer.route == ["groq→anthropic"])
        #expect(answer.switches.first?.reason == "network mid-answer")

        let request = try #require(anthropic.requests.first)
        #expect(request.path == "/v1/messages")
        let messages = try #require(Scenario.json(request)["messages"]?.arrayValue)
        let assistant = messages.filter { $0["role"]?.stringValue == "assistant" }
        let spoken = assistant.first?["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined()
        #expect(spoken == Scenario.partial, "the continuation carries the partial answer as the assistant's turn")
        #expect(messages.last?["role"]?.stringValue == "user")
    }

    enum ToolFailure: String, CaseIterable, Sendable { case errorEvent, cut }

    @Test(arguments: ToolFailure.allCases)
    func completeToolCallThenFailureYieldsExactlyOneToolCall(failure: ToolFailure) async throws {
        let tool = ProviderWireFixtures.ToolCallSpec(id: "call_w1", name: "get_weather",
                                                     argumentFragments: [#"{"ci"#, #"ty":"Paris""#, "}"])
        // Everything up to and including the chunk whose finish_reason completes the call.
        let calls = Scenario.events(ProviderWireFixtures.openAIToolCalls([tool]), first: 1 + 3 + 1)
        let first: ScriptedResponse = switch failure {
        case .errorEvent:
            Scenario.sse(calls + #"data: {"error":{"code":502,"message":"Upstream provider error"}}"# + "\n\n")
        case .cut:
            Scenario.cutAfter(calls)
        }
        let primary = try ScriptedHTTPServer(responses: [first])
        let gemini = try ScriptedHTTPServer(responses: [
            Scenario.sse(ProviderWireFixtures.geminiFunctionCall(name: "get_weather", argsJSON: #"{"city": "Paris"}"#)),
        ])
        defer { primary.stop(); gemini.stop() }
        let transport = try CurlHTTPClient()
        let router = Scenario.router([Scenario.member(Scenario.openAI(primary, transport), Scenario.policy(0)),
                                      Scenario.member(Scenario.gemini(gemini, transport), Scenario.policy(1))])
        var request = Scenario.question
        request.messages = [.user("What's the weather in Paris?")]
        request.tools = [ToolDefinition(name: "get_weather", description: "Current weather",
                                        parameters: JSONValue(parsing: #"{"type":"object","properties":{"city":{"type":"string"}}}"#) ?? .null)]

        let answer = await Scenario.ask(router, request)
        Scenario.expectComplete(answer, "", servedBy: "gemini")
        #expect(answer.route == ["openai→gemini"])
        try #require(answer.toolCalls.count == 1, "exactly one tool call: \(answer.toolCalls)")
        #expect(answer.toolCalls[0].name == "get_weather")
        #expect(answer.toolCalls[0].id == "call_w1", "the call the caller got is the first provider's")
        #expect(JSONValue(parsing: answer.toolCalls[0].arguments) == JSONValue(parsing: #"{"city":"Paris"}"#))
        #expect(gemini.requests.count == 1)
    }

    @Test func openAIErrorEventMidAnswerFailsOverToAnthropic() async throws {
        let primary = try ScriptedHTTPServer(responses: [
            Scenario.sse(ProviderWireFixtures.openAIMidStreamError(code: 502, message: "Provider returned error",
                                                                  textBefore: Scenario.partialPieces)),
        ])
        let anthropic = try ScriptedHTTPServer(responses: [Scenario.sse(ProviderWireFixtures.anthropicText(Scenario.pieces))])
        defer { primary.stop(); anthropic.stop() }
        let transport = try CurlHTTPClient()
        let router = Scenario.router([Scenario.member(Scenario.openAI(primary, transport), Scenario.policy(0)),
                                      Scenario.member(Scenario.anthropic(anthropic, transport), Scenario.policy(1))])

        let answer = await Scenario.ask(router)
        Scenario.expectComplete(answer, servedBy: "anthropic")
        #expect(answer.switches.map(\.reason) == ["server mid-answer"])
        #expect(await router.health("openai")?.lastError == "server: Provider returned error")
    }

    @Test(arguments: [false, true])
    func anthropicOverloadedEventFailsOverToOpenAI(afterText: Bool) async throws {
        let overloaded = #"event: error"# + "\n" + #"data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"# + "\n\n"
        let sse = afterText
            ? ProviderWireFixtures.anthropicText(Scenario.partialPieces, includeStop: false) + overloaded
            : ProviderWireFixtures.anthropicOverloaded()
        let anthropic = try ScriptedHTTPServer(responses: [Scenario.sse(sse)])
        let openAI = try ScriptedHTTPServer(responses: [Scenario.sse(ProviderWireFixtures.openAIText(Scenario.pieces))])
        defer { anthropic.stop(); openAI.stop() }
        let transport = try CurlHTTPClient()
        let router = Scenario.router([Scenario.member(Scenario.anthropic(anthropic, transport), Scenario.policy(0)),
                                      Scenario.member(Scenario.openAI(openAI, transport), Scenario.policy(1))])

        let answer = await Scenario.ask(router)
        Scenario.expectComplete(answer, servedBy: "openai")
        #expect(answer.switches.map(\.reason) == [afterText ? "server mid-answer" : "server"])
        let continued = try #require(openAI.requests.first)
        #expect(continued.bodyText.contains(#""role":"assistant""#) == afterText)
    }

    @Test func malformedChunkMidAnswerFailsOverToGemini() async throws {
        let good = Scenario.events(ProviderWireFixtures.openAIText(Scenario.partialPieces), first: 3)
        let garbage = #"data: {"id":"chatcmpl-fx1","choices":[{"delta":{"content":" is"#  + "\n\n"
        let primary = try ScriptedHTTPServer(responses: [
            ScriptedResponse(ProviderWireFixtures.scripted(good + garbage) + [.stall]),
        ])
        let gemini = try ScriptedHTTPServer(responses: [Scenario.sse(ProviderWireFixtures.geminiText(Scenario.pieces))])
        defer { primary.stop(); gemini.stop() }
        let transport = try CurlHTTPClient()
        let router = Scenario.router([Scenario.member(Scenario.groq(primary, transport), Scenario.policy(0)),
                                      Scenario.member(Scenario.gemini(gemini, transport), Scenario.policy(1))])

        let answer = await Scenario.ask(router)
        Scenario.expectComplete(answer, servedBy: "gemini")
        #expect(answer.switches.map(\.reason) == ["malformedResponse mid-answer"])
        #expect(gemini.requests.first?.path == "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse")
        #expect(gemini.requests.first?.bodyText.contains("The capital of France") == true, "continued, not restarted")
        #expect(await primary.waitForClientClose(), "the broken stream's connection was dropped")
    }
}
