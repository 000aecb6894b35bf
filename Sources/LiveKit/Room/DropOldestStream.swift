import Synchronization

/// An `AsyncStream` that holds at most `capacity` elements: when the consumer falls behind, the
/// oldest element is dropped and counted. Remote audio reaches the agent through one, so a stalled
/// consumer costs at most `capacity` frames of memory and the drops show in the room's stats.
public final class DropOldestStream<Element: Sendable>: Sendable {
    public let stream: AsyncStream<Element>
    public let capacity: Int
    private let sink: AsyncStream<Element>.Continuation
    private let dropped = Atomic<Int>(0)

    public init(capacity: Int) {
        precondition(capacity > 0, "a stream needs room for one element")
        self.capacity = capacity
        (stream, sink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(capacity))
    }

    /// Queues `element`, dropping (and counting) the oldest one when `capacity` are waiting.
    public func yield(_ element: Element) {
        if case .dropped = sink.yield(element) { dropped.add(1, ordering: .relaxed) }
    }

    /// Ends the stream: what is queued is still delivered.
    public func finish() { sink.finish() }

    /// Elements dropped because the consumer fell behind.
    public var droppedCount: Int { dropped.load(ordering: .relaxed) }
}
