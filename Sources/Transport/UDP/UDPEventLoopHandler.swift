/// The sans-IO side of a `UDPEventLoop`: a protocol machine (a peer connection, an SFU port) that
/// consumes datagrams and timeouts and hands back datagrams to send.
///
/// Every method is called on the loop's own thread, one at a time, so the handler needs no locks.
public protocol UDPEventLoopHandler: AnyObject {
    /// A datagram arrived on `sockets[socketIndex]`. The bytes are valid only during the call.
    func datagramReceived(_ bytes: UnsafeRawBufferPointer, from source: SocketAddress, socketIndex: Int,
                          now: ContinuousClock.Instant)
    /// The next datagram to send, or nil when nothing is queued. Called until it returns nil.
    func nextTransmit(now: ContinuousClock.Instant) -> UDPTransmit?
    /// When the handler next wants `timeoutFired`; nil when it has no timer.
    func nextDeadline() -> ContinuousClock.Instant?
    /// The deadline passed (or the loop woke up for another reason and the deadline is due).
    func timeoutFired(now: ContinuousClock.Instant)
}

/// One outgoing datagram and the socket it leaves from.
public struct UDPTransmit {
    public var socketIndex: Int
    public var destination: SocketAddress
    public var bytes: [UInt8]

    public init(socketIndex: Int, destination: SocketAddress, bytes: [UInt8]) {
        self.socketIndex = socketIndex
        self.destination = destination
        self.bytes = bytes
    }
}
