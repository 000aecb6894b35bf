/// The one shape of every protocol core in Steadfast: a state machine with no sockets, threads or
/// clocks inside, so tests drive it input by input on a virtual clock.
///
/// The convention (modelled on `WorkerCore`):
/// - the driver feeds what happened with `handle(_:now:)`, in the order it happened;
/// - it carries out what `pollOutput()` returns until it returns nil;
/// - it sleeps until `nextDeadline` and then feeds `Self.timeout` (the only way a core learns that
///   time passed). A nil deadline means only an input can wake the core.
///
/// `Instant` is `ContinuousClock.Instant` for protocol timers; the router's core uses `Date`,
/// because daily quota resets are wall-clock facts.
public protocol ProtocolCore {
    associatedtype Input
    associatedtype Output
    associatedtype Instant: Comparable

    /// The input that says "your deadline passed".
    static var timeout: Input { get }
    mutating func handle(_ input: Input, now: Instant)
    mutating func pollOutput() -> Output?
    /// When the core next wants `handle(Self.timeout, now:)`; nil when only an input can wake it.
    var nextDeadline: Instant? { get }
}

extension ProtocolCore {
    /// Drains every pending output through `body`, in order.
    public mutating func drainOutputs(_ body: (Output) throws -> Void) rethrows {
        while let output = pollOutput() { try body(output) }
    }
}
