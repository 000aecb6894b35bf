/// The routed LLM chain seen as one `LLM`, for code that only wants text and tool calls.
/// Routing events (attempts, switches) are dropped here; use the router's own stream to see them.
public struct FallbackLLM: LLM {
    public let router: FallbackRouter<LLMCapability>
    public var providerName: String { "router:\(router.chainName)" }
    public var model: String { get async { await router.currentProvider ?? "unknown" } }

    public init(router: FallbackRouter<LLMCapability>) { self.router = router }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        let routed = router.stream(request)
        return AsyncThrowingStream { continuation in
            // Unstructured: bridges one stream to another; cancelled by the consumer's termination.
            let task = Task {
                do {
                    for try await event in routed {
                        if case .event(let inner) = event { continuation.yield(inner) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
