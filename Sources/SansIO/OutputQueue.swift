/// The FIFO behind a core's `pollOutput()`: append while handling an input, take in order while the
/// driver drains. It reuses its storage once drained, so a steady packet path allocates nothing
/// (`removeFirst()` on an array would shift every element; a head index does not).
///
/// `@inlinable` so optimised callers (RTC is built `-O` even in debug) specialise it instead of
/// calling generic code that may box.
@frozen
public struct OutputQueue<Element> {
    @usableFromInline var items: [Element] = []
    @usableFromInline var head = 0

    @inlinable public init(reservingCapacity capacity: Int = 0) {
        items.reserveCapacity(capacity)
    }

    @inlinable public mutating func append(_ element: Element) { items.append(element) }

    /// The oldest element not yet taken; nil once drained (the storage is then reused).
    @inlinable public mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        let element = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return element
    }

    @inlinable public var isEmpty: Bool { head == items.count }
    @inlinable public var count: Int { items.count - head }
}
