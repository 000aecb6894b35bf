import Foundation
import Logging
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// A provider's "this model does not exist / was decommissioned" answer, in each vendor's shape,
/// through the real adapter and router: a configuration error for that model. Not retried, not a
/// breaker failure, logged once, the member unavailable from then on; the OpenRouter rotation moves
/// on to its next model. Bodies follow the vendors' documented error objects and the answers users
/// reported (cited in ErrorClassifier.mentionsMissingModel); they are hand-written.
@Suite("Model not found", .timeLimit(.minutes(2)))
struct CatalogueModelNotFoundTests {
    struct Shape: Sendable, CustomStringConvertible {
        var provider: ProviderID
        var status: Int
        var body: String
        var description: String { "\(provider.rawValue) \(status)" }
    }

    static let shapes = [
        Shape(provider: .openai, status: 404, body: #"{"error":{"message":"The model `gpt-4o-mini` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#),
        Shape(provider: .groq, status: 400, body: #"{"error":{"message":"The model `llama-3.1-8b-instant` has been decommissioned and is no longer supported. Please refer to https://console.groq.com/docs/deprecations for a recommendation on which model to use instead.","type":"invalid_request_error","code":"model_decommissioned"}}"#),
        Shape(provider: .anthropic, status: 404, body: #"{"type":"error","error":{"type":"not_found_error","message":"model: claude-3-5-haiku-latest"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"#),
        Shape(provider: .gemini, status: 404, body: #"{"error":{"code":404,"message":"models/gemini-2.0-flash is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.","status":"NOT_FOUND"}}"#),
        Shape(provider: .openrouter, status: 400, body: #"{"error":{"message":"google/gemini-2.0-flash-exp:free is not a valid model ID","code":400},"user_id":"user_2x7DNyswjOHVRWDYVMCIROyGjsS"}"#),
        Shape(provider: .openrouter, status: 404, body: #"{"error":{"message":"No endpoints found for google/gemini-2.0-flash-exp:free.","code":404},"user_id":"user_2x7DNyswjOHVRWDYVMCIROyGjsS"}"#),
    ]

    @Test(arguments: shapes)
    func classifiedAsModelUnavailable(shape: Shape) {
        let error = ErrorClassifier(provider: shape.provider.rawValue).classify(status: shape.status, body: Array(shape.body.utf8))
        #expect(error.kind == .modelUnavailable, "\(error)")
    }

    /// Lookalikes that are not about a model stay what they were: a 404 from a wrong base URL, a
    /// missing file, a 429 whose text mentions a model.
    @Test(arguments: [
        (404, #"{"type":"error","error":{"type":"not_found_error","message":"Not found"}}"#, ErrorClass.badRequest),
        (404, "", .badRequest),
        (404, #"{"error":{"code":404,"message":"File files/abc is not found.","status":"NOT_FOUND"}}"#, .badRequest),
        (429, #"{"error":{"message":"Rate limit reached for model `gpt-6-luna`","code":"rate_limit_exceeded"}}"#, .rateLimited),
    ])
    func lookalikesKeepTheirClass(status: Int, body: String, expected: ErrorClass) {
        #expect(ErrorClassifier(provider: "openai").classify(status: status, body: Array(body.utf8)).kind == expected)
    }

    /// Two turns through a chain of the real adapter and the local last resort: one request reaches
    /// the vendor (no retry, and the second turn skips the member), no breaker failure, one log line.
    @Test(arguments: shapes)
    func noRetryNoBreakerOneLine(shape: Shape) async throws {
        let server = try ScriptedHTTPServer(responses: [.json(status: shape.status, shape.body)])
        defer { server.stop() }
        let path = [ProviderID.openai: "/v1", .openrouter: "/api/v1"][shape.provider] ?? ""
        var environment = TestEnvironment()
        environment.set(shape.provider, key: "sk-model-gone-0123456789abcdef", baseURL: server.baseURL.absoluteString + path)
        let configuration = try environment.load()
        let llm = try LLMProviderFactory(configuration: configuration, transport: try CurlHTTPClient())
            .makeLLM(shape.provider)
        let logs = CapturingLogHandler.Store()
        let name = shape.provider.rawValue
        let router = FallbackRouter<LLMCapability>(
            name: "test", members: [ChainMember(name: name, service: llm, policy: ProviderPolicy(maxRetries: 2)),
                                    ChainMember(name: "local", service: CannedReplyLLM(), policy: .lastResort)],
            logger: CapturingLogHandler.logger(logs))
        for _ in 0..<2 {
            var served: String?
            for try await event in router.stream(LLMRequest(messages: [.user("hi")])) {
                if case .served(let provider, _, _) = event { served = provider }
            }
            #expect(served == "local")
        }
        #expect(server.requests.count == 1, "one request, no retry: \(server.requests.map(\.path))")
        let health = try #require(await router.health(name))
        #expect(health.breaker.consecutiveFailures == 0)
        #expect(health.state(now: Date()) == .unavailable)
        #expect(await router.status().providers.first?.state == .unavailable)
        // The failure with its message is logged once: the second turn skips the member (debug level).
        let failures = logs.lines.filter { $0.hasPrefix("[warning]") && $0.contains("provider \(name) failed:") }
        #expect(failures.count == 1 && failures.first?.contains("modelUnavailable") == true, "\(logs.lines)")
        #expect(logs.lines.filter { $0.hasPrefix("[debug] Skipping LLM provider \(name): unavailable") }.count == 1)
    }

    /// The OpenRouter rotation: a model OpenRouter no longer serves is skipped for good, the call moves
    /// on to the next model, and later calls go straight there.
    @Test func rotationMovesOnAndForgetsTheDeadModel() async throws {
        let server = try ScriptedHTTPServer { request in
            let model = JSONValue(parsing: request.bodyText)?["model"]?.stringValue ?? "?"
            if model == "google/gemini-2.0-flash-exp:free" {
                return .json(status: 400, #"{"error":{"message":"\#(model) is not a valid model ID","code":400}}"#)
            }
            return ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(["ok"], model: model)))
        }
        defer { server.stop() }
        let logs = CapturingLogHandler.Store()
        let rotation = OpenRouterRotationClient(
            models: ["google/gemini-2.0-flash-exp:free", "openai/gpt-6-luna"], apiKey: Secret("sk-or-v1-test-0123456789abcdef"),
            baseURL: server.baseURL, transport: try CurlHTTPClient(), modelFirstTokenDeadline: nil,
            logger: CapturingLogHandler.logger(logs))
        for _ in 0..<2 {
            var text = ""
            for try await event in rotation.stream(LLMRequest(messages: [.user("hi")])) {
                if case .textDelta(let delta) = event { text += delta }
            }
            #expect(text == "ok")
        }
        let models = server.requests.compactMap { JSONValue(parsing: $0.bodyText)?["model"]?.stringValue }
        #expect(models == ["google/gemini-2.0-flash-exp:free", "openai/gpt-6-luna", "openai/gpt-6-luna"])
        #expect(await rotation.retiredModels.keys.sorted() == ["google/gemini-2.0-flash-exp:free"])
        #expect(await rotation.currentModel == "openai/gpt-6-luna")
        let lines = logs.lines.filter { $0.contains("is unavailable, a configuration error") }
        #expect(lines.count == 1, "\(logs.lines)")
    }
}
