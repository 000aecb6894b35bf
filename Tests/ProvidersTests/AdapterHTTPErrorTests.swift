import Foundation
import Providers
import SteadfastConfig
import Testing
import Transport

/// The same HTTP failures through every native adapter: classification must not depend on the vendor.
@Suite("HTTP errors across adapters", .timeLimit(.minutes(2)))
struct AdapterHTTPErrorTests {
    enum Adapter: String, CaseIterable, Sendable { case openAI, anthropic, gemini }

    static func make(_ adapter: Adapter, _ transport: ReplayTransport) -> any LLM {
        let key = Secret("test-key-0123456789abcdef")
        switch adapter {
        case .openAI: return OpenAICompatibleLLM(preset: .groq, model: "m", apiKey: key, transport: transport)
        case .anthropic: return AnthropicLLM(model: "m", apiKey: key, transport: transport)
        case .gemini: return GeminiLLM(model: "m", apiKey: key, transport: transport)
        }
    }

    static let cases: [(status: Int, body: String, headers: HTTPHeaders, expected: ErrorClass)] = [
        (429, #"{"error":{"message":"Too many requests"}}"#, ["Retry-After": "2"], .rateLimited),
        (402, #"{"error":{"message":"Payment required"}}"#, [:], .quotaExhausted),
        (401, #"{"error":{"message":"bad key test-key-0123456789abcdef"}}"#, [:], .auth),
        (400, #"{"error":{"message":"prompt is too long for the context window"}}"#, [:], .contextLength),
        (503, "Service Unavailable", [:], .server),
    ]

    @Test(arguments: Adapter.allCases)
    func classification(adapter: Adapter) async {
        for testCase in Self.cases {
            let transport = ReplayTransport([.json(testCase.status, testCase.body, headers: testCase.headers)])
            let error = await collect(Self.make(adapter, transport).stream(LLMRequest(messages: [.user("hi")]))).providerError
            #expect(error?.kind == testCase.expected, "\(adapter) HTTP \(testCase.status)")
            #expect(error?.status == testCase.status)
            #expect(error?.message.contains("test-key-0123456789abcdef") == false)
            if testCase.status == 429 { #expect(error?.retryAfter == .seconds(2)) }
        }
    }

    @Test(arguments: Adapter.allCases)
    func requestDeadlineBecomesTotalTimeout(adapter: Adapter) async throws {
        let transport = ReplayTransport([.json(500, "")])
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        _ = await collect(Self.make(adapter, transport).stream(LLMRequest(messages: [.user("hi")], deadline: deadline)))
        let timeouts = try #require(transport.requests.first?.timeouts)
        let total = try #require(timeouts.total)
        #expect(total > .seconds(25) && total <= .seconds(30))
        #expect(timeouts.connect == .seconds(10))
        #expect(timeouts.firstByte == nil)
    }
}
