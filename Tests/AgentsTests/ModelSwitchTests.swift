import Agents
import Foundation
import Logging
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// switchModel and getModelInfo on a real chain: an OpenRouter rotation client talking to a local
/// OpenAI-format server, backed by the local last resort.
@Suite("Model tools", .timeLimit(.minutes(2)))
struct ModelSwitchTests {
    static let models = ["google/gemini-2.0-flash", "anthropic/claude-3.5-haiku", "openai/gpt-4o-mini"]

    struct Chain {
        let server: ScriptedHTTPServer
        let router: FallbackRouter<LLMCapability>
        let rotation: OpenRouterRotationClient
        let context: ToolContext
        let logs: CapturingLogHandler.Store
    }

    static func chain(extra: [ChainMember<LLMCapability>] = []) throws -> Chain {
        let server = try ScriptedHTTPServer { request in
            let model = JSONValue(parsing: request.bodyText)?["model"]?.stringValue ?? "?"
            return ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(["ok"], model: model)))
        }
        let rotation = OpenRouterRotationClient(models: models, apiKey: Secret("sk-or-v1-test-0123456789abcdef"),
                                                baseURL: server.baseURL, transport: try CurlHTTPClient(),
                                                modelFirstTokenDeadline: nil)
        let router = FallbackRouter<LLMCapability>(
            name: "test", members: [ChainMember(name: "openrouter", service: rotation)] + extra
                + [ChainMember(name: "local", service: CannedReplyLLM(), policy: .lastResort)])
        let logs = CapturingLogHandler.Store()
        let logger = CapturingLogHandler.logger(logs)
        let session = StaticSessionControl(llm: FallbackLLM(router: router), agentName: "assistant", logger: logger)
        return Chain(server: server, router: router, rotation: rotation,
                     context: ToolContext(agentName: "assistant", logger: logger, session: session), logs: logs)
    }

    static func run(_ tool: any Tool, _ chain: Chain, _ arguments: JSONValue = .object([:])) async throws -> String {
        try await tool.execute(arguments: arguments, context: chain.context).resultText
    }

    @Test func switchByVoiceThenInfoReflectsItAndTheNextRequestUsesIt() async throws {
        let chain = try Self.chain()
        defer { chain.server.stop() }
        #expect(try await Self.run(ModelInfoTool(), chain) == "OpenRouter, google/gemini-2.0-flash; local fallback ready")

        let llm = ScriptedTurnLLM { call, _ in
            switch call {
            case 0: [.tool(.call("switchModel", #"{"model":"use Claude please"}"#))]
            case 1: [.tool(.call("getModelInfo"))]
            default: [.text("Now on Claude.")]
            }
        }
        let outcome = try await ToolLoop().run(llm: llm, request: LLMRequest(messages: [.user("switch to Claude")]),
                                               tools: [SwitchModelTool(), ModelInfoTool()], context: chain.context)
        #expect(outcome.invocations.map(\.failed) == [false, false])
        #expect(outcome.invocations.first?.result.contains("anthropic/claude-3.5-haiku") == true)
        #expect(outcome.invocations.last?.result == "OpenRouter, anthropic/claude-3.5-haiku; local fallback ready")
        #expect(chain.logs.lines.contains { $0.contains("LLM switched") && $0.contains("llm.model=anthropic/claude-3.5-haiku") })

        // The session's next LLM call goes to the new model: asserted on the server side.
        var text = ""
        for try await event in FallbackLLM(router: chain.router).stream(LLMRequest(messages: [.user("hi")])) {
            if case .textDelta(let delta) = event { text += delta }
        }
        #expect(text == "ok")
        let body = try #require(chain.server.requests.last.flatMap { JSONValue(parsing: $0.bodyText) })
        #expect(body["model"]?.stringValue == "anthropic/claude-3.5-haiku")
    }

    @Test func goingBackToTheDefaultRestoresTheFirstModelAndOrder() async throws {
        let chain = try Self.chain(extra: [ChainMember(name: "openai", service: CannedReplyLLM())])
        defer { chain.server.stop() }
        _ = try await Self.run(SwitchModelTool(), chain, .object(["model": .string("openai")]))
        #expect(await chain.router.order.first == "openai")
        #expect(try await Self.run(ModelInfoTool(), chain)
            == "OpenAI, canned-replies; OpenRouter standing by; local fallback ready")
        _ = try await Self.run(SwitchModelTool(), chain, .object(["model": .string("gpt")]))
        #expect(await chain.rotation.currentModel == "openai/gpt-4o-mini")
        #expect(await chain.router.order.first == "openrouter")

        let reply = try await Self.run(SwitchModelTool(), chain, .object(["model": .string("go back to the default")]))
        #expect(reply.hasPrefix("Switched back to the default"))
        #expect(await chain.rotation.currentModel == "google/gemini-2.0-flash")
        #expect(await chain.router.order == ["openrouter", "openai", "local"])
    }

    @Test func anUnknownModelGetsTheOptions() async throws {
        let chain = try Self.chain()
        defer { chain.server.stop() }
        let reply = try await Self.run(SwitchModelTool(), chain, .object(["model": .string("mistral")]))
        #expect(reply.contains("I can't switch to \"mistral\""))
        #expect(reply.contains("anthropic/claude-3.5-haiku (via OpenRouter)"))
        #expect(await chain.rotation.currentModel == "google/gemini-2.0-flash")
    }

    /// Spoken requests, filler words and all, land on the model they name. Each case first switches
    /// elsewhere, so staying on the default model cannot pass for understanding "gemini" or "default".
    @Test(arguments: [("Switch to Gemini please", "google/gemini-2.0-flash"),
                      ("go back to the default model", "google/gemini-2.0-flash"),
                      ("use the GPT-4o-mini", "openai/gpt-4o-mini"),
                      ("change to Claude please", "anthropic/claude-3.5-haiku")])
    func requestsAreNormalized(request: String, expected: String) async throws {
        let chain = try Self.chain()
        defer { chain.server.stop() }
        let elsewhere = expected == "openai/gpt-4o-mini" ? "anthropic/claude-3.5-haiku" : "openai/gpt-4o-mini"
        _ = try await Self.run(SwitchModelTool(), chain, .object(["model": .string(elsewhere)]))
        #expect(await chain.rotation.currentModel == elsewhere)

        let reply = try await Self.run(SwitchModelTool(), chain, .object(["model": .string(request)]))
        #expect(!reply.contains("can't switch"), "\(request): \(reply)")
        #expect(await chain.rotation.currentModel == expected, "\(request): \(reply)")
    }
}

/// A provider whose key is wrong: every call fails with an auth error, which benches it.
struct RejectedKeyLLM: LLM {
    let providerName = "openai"
    var model: String { get async { "gpt-4o-mini" } }
    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        AsyncThrowingStream { $0.finish(throwing: ProviderError(.auth, "invalid key", provider: "openai", status: 401)) }
    }
}

extension ModelSwitchTests {
    @Test func anUnavailableProviderIsNotSwitchedToAndTheReplySaysWhy() async throws {
        let chain = try Self.chain(extra: [ChainMember(name: "openai", service: RejectedKeyLLM(),
                                                       policy: ProviderPolicy(priority: -1, maxRetries: 0))])
        defer { chain.server.stop() }
        // The first answer trips the auth failure; OpenRouter serves it instead.
        for try await _ in FallbackLLM(router: chain.router).stream(LLMRequest(messages: [.user("hi")])) {}
        #expect(await chain.router.health("openai")?.state(now: Date()) == .disabled)

        let reply = try await Self.run(SwitchModelTool(), chain, .object(["model": .string("OpenAI")]))
        #expect(reply.hasPrefix("OpenAI is disabled (check its API key) right now, so I stayed where I am."))
        #expect(reply.contains("google/gemini-2.0-flash (via OpenRouter)"))
        #expect(try await Self.run(ModelInfoTool(), chain)
            == "OpenRouter, google/gemini-2.0-flash; OpenAI disabled (check its API key); local fallback ready")
    }
}
