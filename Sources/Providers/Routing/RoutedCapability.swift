/// What `FallbackRouter` needs to know about one kind of provider. The LLM implements it now;
/// STT and TTS implement it later, so the chain logic (retries, breaker, limits, hedging,
/// continuation) is written once.
public protocol RoutedCapability: Sendable {
    associatedtype Service: Sendable
    associatedtype Request: Sendable
    /// Codable so answers can be cached on disk.
    associatedtype Event: Sendable & Codable
    associatedtype Splicer: EventSplicer where Splicer.Event == Event

    /// "LLM", "STT", "TTS": used in log lines ("Using LLM provider: ...").
    static var kind: String { get }

    /// Starts one attempt. Cancelling the consumer must cancel the work.
    static func start(_ service: Service, _ request: Request) -> AsyncThrowingStream<Event, any Error>
    /// The model a provider will use (for logs and status); nil when it has none.
    static func model(of service: Service) async -> String?
    /// Events that count as the first useful output (the commit point and first-token deadline).
    static func isOutput(_ event: Event) -> Bool
    /// The event that completes an answer (LLM: `.finish`). After it, a late error or deadline
    /// cannot undo the answer: the attempt counts as served.
    static func isTerminal(_ event: Event) -> Bool
    /// Tokens and cost an event reports, if it is a usage event.
    static func usage(in event: Event) -> (tokens: Int, costUSD: Double?)?
    /// Rough size of a request, so limits can be checked before calling.
    static func estimatedTokens(_ request: Request) -> Int
    /// The request's own deadline, if it carries one.
    static func deadline(of request: Request) -> ContinuousClock.Instant?
    /// The request for the next provider once `delivered` already reached the caller.
    static func continuation(of request: Request, after delivered: [Event]) -> Request
    /// A filter for the next provider's events that drops whatever `delivered` already said.
    static func splicer(after delivered: [Event]) -> Splicer
    /// Key for the response cache; nil when this request must not be cached.
    static func cacheKey(_ request: Request) -> String?
}

/// Joins a continuation onto what was already delivered, dropping repeats.
public protocol EventSplicer: Sendable {
    associatedtype Event: Sendable
    /// Events to pass on for `event` (possibly none while it buffers to detect an overlap).
    mutating func accept(_ event: Event) -> [Event]
    /// Anything still buffered when the stream ends.
    mutating func finish() -> [Event]
}
