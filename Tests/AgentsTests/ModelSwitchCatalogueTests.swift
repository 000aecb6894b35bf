import Agents
import Foundation
import Logging
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// Switching by voice across OpenRouter's catalogue: the decisions table-driven over a catalogue
/// holding expired, expiring, tool-less, non-text, free and over-ceiling models, then end to end:
/// the agent's switchModel tool call against a local server in OpenRouter's list-models format, and
/// the next request on the chosen model. The catalogue is hand-written in OpenRouter's documented
/// shape (openrouter.ai/docs/models, checked 2026-12-07).
@Suite("Model switch across the OpenRouter catalogue", .timeLimit(.minutes(2)))
struct ModelSwitchCatalogueTests {
    static let now = Date(timeIntervalSince1970: 1_796_601_600)  // 2026-12-07
    static let rotation = ["openai/gpt-6-luna"]

    static func day(_ year: Int, _ month: Int, _ day: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day))!
    }

    static func model(_ id: String, created: Date, input: Double, output: Double, expires: Date? = nil, tools: Bool = true,
                      text: Bool = true) -> CatalogueModel {
        CatalogueModel(id: id, displayName: id, created: created, shutdownDate: expires, supportsTools: tools, producesText: text,
                       contextLength: 200_000, inputPricePerMillion: input, outputPricePerMillion: output)
    }

    static let models = [
        model("openai/gpt-6-luna", created: day(2026, 10, 27), input: 0.1, output: 0.5),
        model("openai/gpt-image-2", created: day(2026, 11, 1), input: 5, output: 40, tools: false, text: false),
        model("anthropic/claude-haiku-5.5", created: day(2026, 10, 7), input: 1, output: 5),
        model("anthropic/claude-haiku-4.5", created: day(2025, 10, 15), input: 1, output: 5),
        model("anthropic/claude-opus-5", created: day(2026, 10, 14), input: 15, output: 75),
        model("anthropic/claude-3.5-haiku", created: day(2024, 10, 22), input: 0.8, output: 4, expires: day(2026, 2, 19)),
        model("google/gemini-3.5-flash-lite", created: day(2026, 7, 21), input: 0.1, output: 0.4),
        model("google/gemini-3.5-flash", created: day(2026, 7, 1), input: 0.3, output: 2.5),
        model("google/gemini-2.5-flash", created: day(2025, 6, 17), input: 0.3, output: 2.5, expires: day(2026, 12, 20)),
        model("meta-llama/llama-4-scout:free", created: day(2025, 4, 5), input: 0, output: 0),
        model("mistralai/mistral-small-4:free", created: day(2026, 3, 1), input: 0, output: 0, tools: false),
    ]

    static let catalogue = ModelCatalogue(provider: "openrouter", fetchedAt: now, models: models)

    static func chooser(ceiling: Double = 10) -> OpenRouterModelChooser {
        OpenRouterModelChooser(rotation: rotation, catalogue: catalogue, priceCeiling: ceiling, now: now)
    }

    @Test(arguments: [
        ("claude", "anthropic/claude-haiku-5.5"),           // newest Claude under the ceiling (Opus 5 is newer and dearer)
        ("a free", "meta-llama/llama-4-scout:free"),        // free and tool-capable (Mistral's free one has no tools)
        ("cheapest gemini", "google/gemini-3.5-flash-lite"),
        ("gemini", "google/gemini-3.5-flash-lite"),         // newest; 2.5 Flash expires in 13 days
        ("gpt", "openai/gpt-6-luna"),                       // the configured rotation first; the image model is not text
        ("anthropic/claude-haiku-4.5", "anthropic/claude-haiku-4.5"),
        ("claude-haiku-4.5", "anthropic/claude-haiku-4.5"),  // a bare id
        ("haiku", "anthropic/claude-haiku-5.5"),
        ("cheapest", "meta-llama/llama-4-scout:free"),
    ])
    func chooses(request: String, expected: String) throws {
        #expect(try Self.chooser().choose(request).get() == expected)
    }

    @Test(arguments: [
        ("anthropic/claude-opus-5", "costs $75.00 per million output tokens, over the $10.00 ceiling", "anthropic/claude-haiku-5.5"),
        ("claude opus", "costs $75.00 per million output tokens, over the $10.00 ceiling", "anthropic/claude-haiku-5.5"),
        ("anthropic/claude-3.5-haiku", "is no longer served (expired 2026-02-19)", "anthropic/claude-haiku-5.5"),
        ("google/gemini-2.5-flash", "expires on 2026-12-20", "google/gemini-3.5-flash"),
        ("mistralai/mistral-small-4:free", "does not support tool calling", "meta-llama/llama-4-scout:free"),
        ("grok", "No OpenRouter model matches \"grok\"", "openai/gpt-6-luna"),
    ])
    func refuses(request: String, reason: String, closest: String) throws {
        let result = Self.chooser().choose(request)
        guard case .failure(let refusal) = result else {
            Issue.record("\(request) should be refused, got \(result)")
            return
        }
        #expect(refusal.description.contains(reason), "\(refusal.description)")
        #expect(refusal.closest.contains(closest), "\(refusal.closest)")
        #expect(!refusal.closest.contains { Self.chooser().whyNot(Self.catalogue.model($0)!) != nil }, "only allowed models are offered")
    }

    @Test func aHigherCeilingAllowsTheDearModel() throws {
        #expect(try Self.chooser(ceiling: 100).choose("claude opus").get() == "anthropic/claude-opus-5")
    }

    // MARK: - End to end through the agent's tool call

    /// OpenRouter's list-models JSON for `models` (prices per token as strings, as OpenRouter sends them).
    static func listJSON(_ models: [CatalogueModel]) -> String {
        let entries = models.map { model in
            let parameters = (model.supportsTools == true ? #""tools","tool_choice","# : "") + #""max_tokens""#
            let output = model.producesText == false ? "image" : "text"
            let expires = model.shutdownDate.map { "\"\(String($0.ISO8601Format().prefix(10)))\"" } ?? "null"
            return """
                {"id":"\(model.id)","canonical_slug":"\(model.id)","name":"\(model.id)","created":\(Int(model.created!.timeIntervalSince1970)),
                 "context_length":200000,"architecture":{"modality":"text->\(output)","input_modalities":["text"],"output_modalities":["\(output)"]},
                 "pricing":{"prompt":"\(model.inputPricePerMillion! / 1_000_000)","completion":"\(model.outputPricePerMillion! / 1_000_000)"},
                 "supported_parameters":[\(parameters)],"expiration_date":\(expires)}
                """
        }
        return #"{"data":["# + entries.joined(separator: ",") + "]}"
    }

    struct Chain {
        let server: ScriptedHTTPServer
        let router: FallbackRouter<LLMCapability>
        let context: ToolContext
    }

    /// dev:openrouter with only an OpenRouter key: the rotation (its default model alone) and the local tail.
    static func chain() throws -> Chain {
        let list = listJSON(models)
        let server = try ScriptedHTTPServer { request in
            if request.method == "GET" { return request.path == "/api/v1/models" ? .json(list) : .json(status: 404, "{}") }
            let model = JSONValue(parsing: request.bodyText)?["model"]?.stringValue ?? "?"
            return ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(["ok"], model: model)))
        }
        let transport = try CurlHTTPClient()
        let rotation = OpenRouterRotationClient(
            models: rotation, apiKey: Secret("sk-or-v1-test-0123456789abcdef"),
            baseURL: URL(string: server.baseURL.absoluteString + "/api/v1"), transport: transport, modelFirstTokenDeadline: nil,
            catalogue: ModelCatalogueStore(transport: transport, cacheDirectory: nil, wallClock: { now }), wallClock: { now })
        let router = FallbackRouter<LLMCapability>(
            name: "openrouter", members: [ChainMember(name: "openrouter", service: rotation),
                                          ChainMember(name: "local", service: CannedReplyLLM(), policy: .lastResort)])
        let logger = Logger(label: "test")
        let session = StaticSessionControl(llm: FallbackLLM(router: router), agentName: "assistant", logger: logger)
        return Chain(server: server, router: router, context: ToolContext(agentName: "assistant", logger: logger, session: session))
    }

    /// "Switch to Claude": the model calls switchModel, the tool picks a current, tool-capable Claude
    /// under the ceiling from the catalogue and says which, getModelInfo then gives its context and
    /// price, and the next request goes to it.
    @Test func switchToClaudeEndToEnd() async throws {
        let chain = try Self.chain()
        defer { chain.server.stop() }
        let llm = ScriptedTurnLLM { call, _ in
            switch call {
            case 0: [.tool(.call("switchModel", #"{"model":"switch to Claude"}"#))]
            case 1: [.tool(.call("getModelInfo"))]
            default: [.text("Done.")]
            }
        }
        let outcome = try await ToolLoop().run(llm: llm, request: LLMRequest(messages: [.user("switch to Claude")]),
                                               tools: [SwitchModelTool(), ModelInfoTool()], context: chain.context)
        #expect(outcome.invocations.map(\.failed) == [false, false])
        #expect(outcome.invocations.first?.result
            == "Switched to anthropic/claude-haiku-5.5 on OpenRouter (200,000-token context, $1.00/$5.00 per M tokens); "
            + "it answers from my next reply.", "\(outcome.invocations.first?.result ?? "")")
        #expect(outcome.invocations.last?.result
            == "OpenRouter, anthropic/claude-haiku-5.5 (200,000-token context, $1.00/$5.00 per M tokens); local fallback ready")

        for try await _ in FallbackLLM(router: chain.router).stream(LLMRequest(messages: [.user("hi")])) {}
        let body = try #require(chain.server.requests.last { $0.method == "POST" }.flatMap { JSONValue(parsing: $0.bodyText) })
        #expect(body["model"]?.stringValue == "anthropic/claude-haiku-5.5")
        #expect(chain.server.requests.filter { $0.method == "GET" }.count == 1, "the catalogue is fetched once")
    }

    /// A refusal is spoken with the reason and the closest allowed models, and the model stays.
    @Test func overTheCeilingIsRefusedWithAlternatives() async throws {
        let chain = try Self.chain()
        defer { chain.server.stop() }
        let reply = try await SwitchModelTool().execute(arguments: .object(["model": .string("use Claude Opus")]),
                                                        context: chain.context).resultText
        #expect(reply.hasPrefix("I can't switch to \"use Claude Opus\": anthropic/claude-opus-5 costs $75.00 per million output "
                                + "tokens, over the $10.00 ceiling. Closest allowed: anthropic/claude-haiku-5.5"), "\(reply)")
        #expect(reply.hasSuffix("I stayed on openai/gpt-6-luna."), "\(reply)")
        #expect(await chain.router.membersInOrder.first?.service.modelSwitching?.currentModel == "openai/gpt-6-luna")
    }
}
