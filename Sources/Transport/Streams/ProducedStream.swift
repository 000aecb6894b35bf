/// "A stream whose producer task is cancelled when the consumer stops": the one copy of the
/// make-a-stream-start-a-task pattern that providers, relays and test doubles share.
///
/// The producer runs in an unstructured `Task` because a stream's builder is synchronous and the
/// stream outlives the call that made it. Its only owner is the stream: `onTermination` (the
/// consumer stopped iterating, dropped the stream, or its task was cancelled, as on barge-in)
/// cancels it, so nothing runs on after nobody listens.
extension AsyncThrowingStream where Element: Sendable, Failure == any Error {
    /// Runs `produce` once, yielding into the continuation. Returning finishes the stream; a
    /// thrown error ends it with that error (map errors inside `produce` before throwing them).
    public static func produced(
        bufferingPolicy: Continuation.BufferingPolicy = .unbounded,
        _ produce: sending @escaping (Continuation) async throws -> Void
    ) -> AsyncThrowingStream<Element, any Error> {
        let (stream, continuation) = makeStream(bufferingPolicy: bufferingPolicy)
        let task = Task {
            do {
                try await produce(continuation)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

extension AsyncStream where Element: Sendable {
    /// Runs `produce` once, yielding into the continuation; returning finishes the stream. The
    /// task is cancelled when the consumer stops, so `produce` should check for cancellation.
    public static func produced(
        bufferingPolicy: Continuation.BufferingPolicy = .unbounded,
        _ produce: sending @escaping (Continuation) async -> Void
    ) -> AsyncStream<Element> {
        let (stream, continuation) = makeStream(bufferingPolicy: bufferingPolicy)
        let task = Task {
            await produce(continuation)
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
