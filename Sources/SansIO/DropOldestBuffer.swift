import Synchronization

/// A bounded FIFO that, when full, drops its oldest element to make room and counts the drop.
/// Audio between a producer and a consumer that may stall goes through one: late audio is worth
/// less than current audio, and a slow consumer must never grow memory.
public final class DropOldestBuffer<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element?]
        var head = 0
        var count = 0
        var dropped = 0
    }

    public let capacity: Int
    private let state: Mutex<State>

    public init(capacity: Int) {
        precondition(capacity > 0, "a buffer needs room for one element")
        self.capacity = capacity
        state = Mutex(State(items: Array(repeating: nil, count: capacity)))
    }

    /// Appends `element`; returns true when the oldest element was dropped to make room.
    @discardableResult
    public func append(_ element: Element) -> Bool {
        state.withLock { state in
            var dropped = false
            if state.count == capacity {
                state.items[state.head] = nil
                state.head = (state.head + 1) % capacity
                state.count -= 1
                state.dropped += 1
                dropped = true
            }
            state.items[(state.head + state.count) % capacity] = element
            state.count += 1
            return dropped
        }
    }

    /// Takes the oldest element, or nil when empty.
    public func removeFirst() -> Element? {
        state.withLock { state in
            guard state.count > 0 else { return nil }
            let element = state.items[state.head]
            state.items[state.head] = nil
            state.head = (state.head + 1) % capacity
            state.count -= 1
            return element
        }
    }

    /// Drops everything queued (barge-in); not counted as overflow drops.
    public func removeAll() {
        state.withLock { state in
            for index in state.items.indices { state.items[index] = nil }
            state.head = 0
            state.count = 0
        }
    }

    public var count: Int { state.withLock { $0.count } }
    /// Elements dropped because the buffer was full, since it was made.
    public var droppedCount: Int { state.withLock { $0.dropped } }
}
