import Foundation
import Logging
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// Servers that echo our key back (as OpenAI does in its 401 body) must not get it into a log line,
/// an error, a switch reason or the status JSON.
@Suite("Scenarios: no key in logs", .timeLimit(.minutes(2)))
struct SecretLeakScenarios {
    /// Keys with a distinctive body, so any leaked fragment can be searched for.
    static let keys = (
        openAI: "sk-proj-QZX7f3a9c2e91d04b6f8a5e3c1d2b",
        anthropic: "sk-ant-api03-QZX94e1b7d20c5f3a86e9",
        gemini: "AIzaSyQZX3c8d1f06b2e7a49d5c0",
        openRouter: "sk-or-v1-QZX0a6e2c9f4b7d13e58a2"
    )
    static var allKeys: [String] { [keys.openAI, keys.anthropic, keys.gemini, keys.openRouter] }

    /// Any 8-character run of a key's body is a leak (the redacted form shows at most the last four).
    static func leaks(in text: String) -> [String] {
        allKeys.flatMap { key -> [String] in
            let body = Array(key.drop { $0 != "Q" })
            return (0...(body.count - 8)).map { String(body[$0..<($0 + 8)]) }.filter { text.contains($0) }
        }
    }

    @Test func keysEchoedByServersNeverReachLogsErrorsOrStatus() async throws {
        let keys = Self.keys
        // OpenRouter-style: a 200 stream that turns to garbage quoting the key (shows up in "unparseable chunk").
        let openRouter = try ScriptedHTTPServer { request in
            let key = request.header("Authorization") ?? ""
            return Scenario.sse(Scenario.events(ProviderWireFixtures.openAIText(["Hi"]), first: 1)
                + "data: {\"echo\":\"\(key)\n\n")
        }
        let openAI = try ScriptedHTTPServer { request in
            let key = (request.header("Authorization") ?? "").replacingOccurrences(of: "Bearer ", with: "")
            return .json(status: 401, #"{"error":{"message":"Incorrect API key provided: \#(key). You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#)
        }
        let anthropic = try ScriptedHTTPServer { request in
            .json(status: 401, #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key \#(request.header("x-api-key") ?? "")"}}"#)
        }
        let gemini = try ScriptedHTTPServer { request in
            .json(status: 503, #"{"error":{"code":503,"message":"Backend for key \#(request.header("x-goog-api-key") ?? "") is unavailable","status":"UNAVAILABLE"}}"#)
        }
        defer { openRouter.stop(); openAI.stop(); anthropic.stop(); gemini.stop() }

        let capture = CapturingLogHandler.Store()
        let logger = CapturingLogHandler.logger(capture, label: "scenario.secrets")
        let transport = try CurlHTTPClient(logger: logger)
        let services: [any LLM] = [
            OpenAICompatibleLLM(preset: .openRouter, model: "openai/gpt-4o-mini", apiKey: Secret(keys.openRouter),
                                baseURL: Scenario.url(openRouter, "/api/v1"), transport: transport, logger: logger),
            Scenario.openAI(openAI, transport, key: keys.openAI, logger: logger),
            Scenario.anthropic(anthropic, transport, key: keys.anthropic, logger: logger),
            Scenario.gemini(gemini, transport, key: keys.gemini, logger: logger),
        ]
        let members = services.enumerated().map { Scenario.member($0.element, Scenario.policy($0.offset)) }
        let router = Scenario.router(members, logger: logger)
        let strict = Scenario.router(members, withLocal: false, logger: logger)

        let answer = await Scenario.ask(router)
        #expect(answer.servedBy == "local")
        #expect(answer.finishes == 1)
        #expect(answer.switches.count == 4)
        let exhausted = await Scenario.ask(strict)
        let failure = try #require(exhausted.error as? RouterExhaustedError)
        #expect(failure.failures.count == 4)

        // Every adapter's own error, straight from the socket.
        var errors: [String] = [String(describing: failure)]
        for service in services {
            let result = await collect(service.stream(Scenario.question))
            let error = try #require(result.providerError, "\(service.providerName) should fail")
            errors += [error.description, error.message, String(reflecting: error)]
        }
        let status = String(decoding: try JSONEncoder().encode(await router.status()), as: UTF8.self)

        let lines = capture.lines
        #expect(lines.contains { $0.contains("[REDACTED]") }, "the echoed keys were logged, redacted")
        #expect(lines.contains { $0.contains("authentication failed") || $0.contains("auth") })
        for (what, text) in [("logs", lines.joined(separator: "\n")), ("errors", errors.joined(separator: "\n")),
                             ("switch reasons", answer.switches.map(\.reason).joined(separator: "\n")),
                             ("status", status)] {
            let leaked = Self.leaks(in: text)
            #expect(leaked.isEmpty, "\(what) leak key fragments \(leaked.prefix(3)): \(text.prefix(2000))")
        }
        // The servers did get the keys: the test would prove nothing otherwise.
        #expect(openAI.requests.first?.header("Authorization") == "Bearer \(keys.openAI)")
        #expect(anthropic.requests.first?.header("x-api-key") == keys.anthropic)
        #expect(gemini.requests.first?.header("x-goog-api-key") == keys.gemini)
    }
}
