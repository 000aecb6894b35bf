import Foundation
import Logging
import Providers
import Synchronization
import TestSupport
import Transport

/// Shared pieces of the benchmarks: a silent logger, in-process LLM doubles, loopback servers
/// and policies that keep the router from learning across iterations (no breaker, no retries).
enum Fixtures {
    static let request = LLMRequest(messages: [.user("What is the capital of France?")], maxTokens: 64)
    static let answerPieces = ["The", " capital", " of", " France", " is", " Paris", "."]

    /// Only critical messages, which the router never emits on these paths.
    static func quietLogger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }

    /// A breaker that never opens: every iteration must see the same chain.
    static let neverOpen = BreakerPolicy(consecutiveFailures: .max, failureRate: 2, window: 1, minimumCalls: .max)

    /// No retries, no breaker; the given first-token deadline.
    static func remotePolicy(priority: Int, firstTokenDeadline: Duration? = .seconds(2)) -> ProviderPolicy {
        ProviderPolicy(priority: priority, maxRetries: 0, requestTimeout: .seconds(10),
                       firstTokenDeadline: firstTokenDeadline, idleTimeout: .seconds(5), breaker: neverOpen)
    }

    static func local() -> ChainMember<LLMCapability> {
        ChainMember(name: "local", service: CannedReplyLLM(), policy: .lastResort)
    }

    /// An OpenAI-compatible adapter against `server`, silent.
    static func adapter(_ name: String, server: ScriptedHTTPServer, transport: any HTTPTransport) -> OpenAICompatibleLLM {
        OpenAICompatibleLLM(
            configuration: .init(providerName: name, baseURL: server.baseURL.appendingPathComponent("v1"),
                                 model: "bench-model"),
            transport: transport, logger: quietLogger("bench.\(name)"))
    }

    /// Streams the answer at once: 200, the whole SSE body in one write.
    static func instantServer() throws -> ScriptedHTTPServer {
        let sse = ProviderWireFixtures.openAIText(answerPieces)
        return try ScriptedHTTPServer(responses: [ScriptedResponse(ProviderWireFixtures.scripted(sse, chunkSize: 1 << 16))])
    }

    /// Answers every request with 503 at once.
    static func failingServer() throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer(responses: [.json(status: 503, #"{"error":{"message":"overloaded","code":503}}"#)])
    }

    /// Sends a 200 event-stream head, then nothing until the client hangs up.
    static func stallingServer() throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer(responses: [ScriptedResponse([.head(status: 200, headers: [("Content-Type", "text/event-stream")]), .stall])])
    }
}

/// Times seen by the caller of one routed (or direct) stream, relative to `start`.
struct StreamTiming {
    var start: ContinuousClock.Instant
    var firstToken: ContinuousClock.Instant?
    var switched: ContinuousClock.Instant?
    var end: ContinuousClock.Instant?
    var servedBy: String?

    var ttft: Duration? { firstToken.map { $0 - start } }
    var total: Duration? { end.map { $0 - start } }
}

extension LLMEvent {
    var isFirstTokenCandidate: Bool {
        switch self {
        case .textDelta(let text): !text.isEmpty
        case .toolCall: true
        case .usage, .finish: false
        }
    }
}

/// Consumes a routed stream to the end, stamping the first token and the first `.switched`.
func timeRouted(_ stream: AsyncThrowingStream<RoutedEvent<LLMEvent>, any Error>,
                start: ContinuousClock.Instant) async throws -> StreamTiming {
    var timing = StreamTiming(start: start)
    for try await event in stream {
        switch event {
        case .event(let inner):
            if timing.firstToken == nil, inner.isFirstTokenCandidate { timing.firstToken = .now }
        case .switched:
            if timing.switched == nil { timing.switched = .now }
        case .served(let provider, _, _):
            timing.servedBy = provider
        case .attempt:
            break
        }
    }
    timing.end = .now
    return timing
}

/// Consumes a plain LLM stream to the end, stamping the first token.
func timeDirect(_ stream: AsyncThrowingStream<LLMEvent, any Error>, start: ContinuousClock.Instant) async throws -> StreamTiming {
    var timing = StreamTiming(start: start)
    for try await event in stream where timing.firstToken == nil && event.isFirstTokenCandidate {
        timing.firstToken = .now
    }
    timing.end = .now
    return timing
}

/// An in-process LLM that answers at once: every event is buffered before the stream is returned,
/// so no task, timer or socket is involved. The cheapest possible provider.
struct InstantLLM: LLM {
    let providerName: String
    var pieces: [String] = Fixtures.answerPieces
    var model: String { get async { "instant" } }

    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<LLMEvent, any Error>.makeStream()
        for piece in pieces { continuation.yield(.textDelta(piece)) }
        continuation.yield(.usage(Usage(inputTokens: 12, outputTokens: 7)))
        continuation.yield(.finish(.stop))
        continuation.finish()
        return stream
    }
}

/// Wraps an LLM and records the instant its stream threw: "the primary's failure was observed".
/// The relay adds one task hop after the stamp, so overheads measured from it are slightly pessimistic.
final class FailureStampingLLM: LLM, Sendable {
    let inner: any LLM
    private let lastFailure = Mutex<ContinuousClock.Instant?>(nil)

    init(_ inner: any LLM) { self.inner = inner }

    var providerName: String { inner.providerName }
    var model: String { get async { await inner.model } }

    /// Takes (and clears) the last failure instant.
    func takeFailure() -> ContinuousClock.Instant? { lastFailure.withLock { value in defer { value = nil }; return value } }

    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        let upstream = inner.stream(request)
        let (stream, continuation) = AsyncThrowingStream<LLMEvent, any Error>.makeStream()
        // Unstructured: relays one stream into another; the consumer's termination cancels it.
        let task = Task {
            do {
                for try await event in upstream { continuation.yield(event) }
                continuation.finish()
            } catch {
                let now = ContinuousClock.now
                self.lastFailure.withLock { $0 = now }
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
