import Foundation
import Logging
import Providers
import SteadfastConfig
import Synchronization
import TestSupport
import Testing
import Transport

/// Shared plumbing for the socket-level fault-injection scenarios: real adapters, the real libcurl
/// client and the real `FallbackRouter`, against `ScriptedHTTPServer`s speaking each vendor's wire format.
///
/// Timing bounds are deliberately generous (other suites may block the cooperative pool), but every
/// bound still separates the behaviour under test from its failure (e.g. "switched within deadline + 1 s").
enum Scenario {
    static let question = LLMRequest(messages: [.user("What is the capital of France?")])
    static let answer = "The capital of France is Paris."
    static let pieces = ["The capital", " of France", " is Paris."]
    /// What a provider says before it is cut off in the continuation scenarios.
    static let partialPieces = ["The capital", " of France", " is"]
    static let partial = "The capital of France is"

    /// Scenarios fail on purpose all the time; their logs would drown the test output.
    static let quiet = Logger(label: "scenario") { _ in SwiftLogNoOpLogHandler() }

    // MARK: Policies

    /// No retries, fast backoff, deadlines loose enough for a loaded 2-core machine.
    static func policy(_ priority: Int, retries: Int = 0, firstToken: Duration = .seconds(3),
                       breakerAfter failures: Int = 3) -> ProviderPolicy {
        var policy = ProviderPolicy(priority: priority, maxRetries: retries)
        policy.firstTokenDeadline = firstToken
        policy.idleTimeout = .seconds(3)
        policy.requestTimeout = .seconds(10)
        policy.backoff = Backoff(initial: .milliseconds(10), maximum: .milliseconds(50))
        policy.breaker = BreakerPolicy(consecutiveFailures: failures)
        return policy
    }

    /// A policy whose breaker never opens (for the load scenario, where failures are the point).
    static func unbreakable(_ priority: Int) -> ProviderPolicy {
        var policy = Self.policy(priority, firstToken: .seconds(8))
        policy.idleTimeout = .seconds(8)
        policy.requestTimeout = .seconds(20)
        policy.breaker = BreakerPolicy(consecutiveFailures: .max, failureRate: 2, window: 20, minimumCalls: .max)
        return policy
    }

    // MARK: Adapters on a scripted server

    static func groq(_ server: ScriptedHTTPServer, _ transport: any HTTPTransport, key: String = "gsk_scenario_groq_key_0001",
                     logger: Logger = Scenario.quiet) -> OpenAICompatibleLLM {
        OpenAICompatibleLLM(preset: .groq, model: "llama-3.3-70b-versatile", apiKey: Secret(key),
                            baseURL: url(server, "/openai/v1"), transport: transport, logger: logger)
    }

    static func openAI(_ server: ScriptedHTTPServer, _ transport: any HTTPTransport,
                       key: String = "sk-proj-scenario-openai-key-0001",
                       logger: Logger = Scenario.quiet) -> OpenAICompatibleLLM {
        OpenAICompatibleLLM(preset: .openAI, model: "gpt-4o-mini", apiKey: Secret(key), baseURL: url(server, "/v1"),
                            transport: transport, logger: logger)
    }

    static func anthropic(_ server: ScriptedHTTPServer, _ transport: any HTTPTransport,
                          key: String = "sk-ant-api03-scenario-key-0001",
                          logger: Logger = Scenario.quiet) -> AnthropicLLM {
        AnthropicLLM(model: "claude-3-5-haiku-latest", apiKey: Secret(key), baseURL: server.baseURL,
                     transport: transport, logger: logger)
    }

    static func gemini(_ server: ScriptedHTTPServer, _ transport: any HTTPTransport,
                       key: String = "AIzaScenarioGeminiKey0001",
                       logger: Logger = Scenario.quiet) -> GeminiLLM {
        GeminiLLM(model: "gemini-2.0-flash", apiKey: Secret(key), baseURL: server.baseURL, transport: transport,
                  logger: logger)
    }

    static func url(_ server: ScriptedHTTPServer, _ path: String) -> URL {
        URL(string: server.baseURL.absoluteString + path) ?? server.baseURL
    }

    static func member(_ llm: any LLM, _ policy: ProviderPolicy) -> ChainMember<LLMCapability> {
        ChainMember(name: llm.providerName, service: llm, policy: policy)
    }

    static func local(downServices: @escaping @Sendable () async -> [String] = { [] }) -> ChainMember<LLMCapability> {
        ChainMember(name: "local", service: CannedReplyLLM(downServices: downServices), policy: .lastResort)
    }

    static func router(_ members: [ChainMember<LLMCapability>], withLocal: Bool = true, hedge: HedgePolicy? = nil,
                       logger: Logger = Scenario.quiet) -> FallbackRouter<LLMCapability> {
        FallbackRouter(name: "llm", members: members + (withLocal ? [local()] : []), hedge: hedge, logger: logger)
    }

    // MARK: Scripted responses

    /// A 200 SSE response playing `sse` in small chunks.
    static func sse(_ sse: String, chunkSize: Int = 48) -> ScriptedResponse {
        ScriptedResponse(ProviderWireFixtures.scripted(sse, chunkSize: chunkSize))
    }

    /// The first `count` SSE events of `sse` (events end with a blank line; CRLF or LF).
    static func events(_ sse: String, first count: Int) -> String {
        let separator = sse.contains("\r\n\r\n") ? "\r\n\r\n" : "\n\n"
        return sse.components(separatedBy: separator).prefix(count).map { $0 + separator }.joined()
    }

    /// `sse`, then a short pause (so the client has read it: a reset can discard unread bytes), then a TCP reset.
    static func cutAfter(_ sse: String) -> ScriptedResponse {
        ScriptedResponse(ProviderWireFixtures.scripted(sse, chunkSize: 48) + [.pause(.milliseconds(100)), .cut])
    }

    /// OpenAI chunks saying "The capital of France is" (role chunk + three pieces), no finish.
    static let openAIPartial = events(ProviderWireFixtures.openAIText(partialPieces, done: false, includeUsage: false),
                                      first: 1 + partialPieces.count)

    /// The JSON body of a recorded request.
    static func json(_ request: RecordedRequest) -> JSONValue { JSONValue(parsing: request.bodyText) ?? .null }

    // MARK: Asking

    static func ask(_ router: FallbackRouter<LLMCapability>, _ request: LLMRequest = question) async -> ScenarioAnswer {
        let start = ContinuousClock.now
        var answer = ScenarioAnswer()
        do {
            for try await event in router.stream(request) {
                let at = ContinuousClock.now - start
                switch event {
                case .event(.textDelta(let text)): answer.text += text
                case .event(.toolCall(let call)): answer.toolCalls.append(call)
                case .event(.finish): answer.finishes += 1
                case .event(.usage): break
                case .attempt(let provider, _): answer.attempts.append(provider)
                case .switched(let from, let to, let reason):
                    answer.switches.append(.init(from: from, to: to, reason: reason, at: at))
                case .served(let provider, let model, _):
                    answer.servedBy = provider
                    answer.servedModel = model
                }
            }
        } catch {
            answer.error = error
        }
        answer.elapsed = ContinuousClock.now - start
        return answer
    }

    /// The caller heard `text` exactly once, with exactly one finish, from `provider`.
    static func expectComplete(_ answer: ScenarioAnswer, _ text: String = answer, servedBy provider: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.error == nil, "\(String(describing: answer.error))", sourceLocation: sourceLocation)
        #expect(answer.text == text, sourceLocation: sourceLocation)
        #expect(answer.finishes == 1, sourceLocation: sourceLocation)
        #expect(answer.servedBy == provider, sourceLocation: sourceLocation)
    }
}

/// What the caller of one routed request observed, with timings.
struct ScenarioAnswer {
    struct Switch {
        var from: String
        var to: String
        var reason: String
        var at: Duration
    }

    var text = ""
    var toolCalls: [ToolCall] = []
    var attempts: [String] = []
    var switches: [Switch] = []
    var servedBy: String?
    var servedModel: String?
    var finishes = 0
    var error: (any Error)?
    var elapsed: Duration = .zero

    var route: [String] { switches.map { "\($0.from)→\($0.to)" } }
}

/// Arrival times of the requests a server received (its handler records them).
final class Arrivals: Sendable {
    private let times = Mutex<[ContinuousClock.Instant]>([])
    func record() { times.withLock { $0.append(.now) } }
    var all: [ContinuousClock.Instant] { times.withLock { $0 } }
}

/// A late-bound reference, for a last resort that reports what its own router has benched.
final class RouterReference: Sendable {
    private let router = Mutex<FallbackRouter<LLMCapability>?>(nil)
    func set(_ value: FallbackRouter<LLMCapability>) { router.withLock { $0 = value } }
    func unavailable() async -> [String] {
        guard let router = router.withLock({ $0 }) else { return [] }
        return await router.unavailableProviders()
    }
}

