import Audio
import Foundation
import Logging
import RTC
import SansIO
import Synchronization
import Transport

/// Runs one `PeerConnection` on real UDP sockets: a `UDPEventLoopHandler` that translates socket
/// addresses, paces outgoing audio at 20 ms, encodes and decodes Opus, and reports events.
///
/// Everything that touches the connection runs on the event loop's thread, in one order: datagrams
/// as they arrive, the connection's deadline, and the closures callers queue with `withConnection`
/// (or `audioQueued`). After each of those the driver drains the connection's outputs at once:
/// transmits wait in `pendingTransmits` for the loop to send, events (decoded audio included) go to
/// the callbacks. Nothing waits on a fixed period: the loop sleeps until `nextDeadline()`.
///
/// Audio is bounded both ways: outgoing frames wait in a `DropOldestBuffer` (its drops counted),
/// and decoded frames leave through `onAudio`, which must not block (the room yields them into a
/// bounded drop-oldest stream).
public final class PeerConnectionDriver: UDPEventLoopHandler, @unchecked Sendable {
    // SAFETY: all mutable state below is confined to the event loop thread (see type doc); the
    // only cross-thread state is the outgoing-audio buffer (a Mutex inside) and `loop`, set once
    // by `start()` before any caller reaches the driver.
    public let connection: PeerConnection
    /// Audio waiting to be sent, 20 ms per frame; the oldest is dropped when a producer outruns real time.
    public let outgoingAudio: DropOldestBuffer<AudioFrame>
    private let sockets: [UDPSocket]
    private let localAddresses: [TransportAddress]
    private var loop: UDPEventLoop?
    private let logger: Logger
    private var addressCache: [SocketAddress: TransportAddress] = [:]
    private var socketAddressCache: [TransportAddress: SocketAddress] = [:]

    private let encoder: OpusEncoder
    private var decoders: [String: OpusDecoder] = [:]
    private var nextSendTick: ContinuousClock.Instant?
    /// Transmits drained from the connection, sent by the loop through `nextTransmit`; the storage is
    /// kept between batches, so queueing allocates nothing.
    private var pendingTransmits = OutputQueue<UDPTransmit>(reservingCapacity: 64)
    /// `rtc peer --simulate-loss`: the fraction of DTLS records dropped each way once connected (a
    /// lossy network for data-channel tests against real peers; STUN and RTP are never dropped).
    private let simulatedLoss: Double
    private var lossRandom = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))
    private let onEvent: @Sendable (PeerConnection.Event) -> Void
    private let onAudio: @Sendable (String, AudioFrame) -> Void

    /// Binds one UDP socket per address (port 0: any free port) and announces each as a host candidate.
    /// `outgoingAudio` is where audio to send waits (a room passes its own, so producers can append
    /// to it directly); by default a minute of 20 ms frames, for a diagnostic that queues a whole file.
    public init(configuration: PeerConnection.Configuration = .init(), hosts: [String],
                outgoingAudio: DropOldestBuffer<AudioFrame>? = nil,
                simulatedLoss: Double = 0,
                logger: Logger = Logger(label: "steadfast.rtc"),
                onEvent: @escaping @Sendable (PeerConnection.Event) -> Void = { _ in },
                onAudio: @escaping @Sendable (String, AudioFrame) -> Void = { _, _ in }) throws {
        let certificate = try DTLSCertificate()
        connection = PeerConnection(configuration: configuration, certificate: certificate)
        var sockets: [UDPSocket] = []
        var locals: [TransportAddress] = []
        for host in hosts {
            guard let address = SocketAddress(host: host, port: 0) else { continue }
            let socket = try UDPSocket(bindTo: address)
            guard let local = TransportAddress(host: socket.localAddress.host, port: socket.localAddress.port) else { continue }
            sockets.append(socket)
            locals.append(local)
            connection.addLocalHostCandidate(local)
        }
        guard !sockets.isEmpty else { throw RTCError(.invalidState, "no usable local address among \(hosts)") }
        self.sockets = sockets
        localAddresses = locals
        self.logger = logger
        self.simulatedLoss = min(max(simulatedLoss, 0), 1)
        self.onEvent = onEvent
        self.onAudio = onAudio
        self.outgoingAudio = outgoingAudio ?? DropOldestBuffer(capacity: 3_000)
        var opus = OpusEncoder.Configuration()
        opus.inBandFEC = true
        opus.expectedPacketLossPercent = 10
        encoder = try OpusEncoder(configuration: opus)
    }

    /// Starts the event loop thread. SDP can be exchanged before or after.
    public func start() throws {
        let loop = try UDPEventLoop(sockets: sockets, handler: self, logger: logger)
        self.loop = loop
        loop.start(name: "steadfast-rtc")
    }

    /// Runs `body` with the connection on the loop thread (in order with datagrams and timers) and
    /// returns its result; the connection's outputs are drained right after.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PeerConnection) throws -> T) async throws -> T {
        guard let loop else {
            defer { drainConnection() }
            return try body(connection)
        }
        return try await withCheckedThrowingContinuation { continuation in
            loop.perform { [self] in
                let result = Result { try body(self.connection) }
                drainConnection()
                continuation.resume(with: result)
            }
        }
    }

    /// Sends one data-channel message, in order with everything else the loop does; no await, so a
    /// producer can send many in a row and SCTP packs them. A refusal (channel not open, message
    /// above the peer's limit) comes back through `onEvent` as `.dataChannelError`.
    public func sendData(_ message: DataChannelMessage, on channel: PeerConnection.DataChannelID) {
        onLoop { connection in
            do { try connection.sendData(message, on: channel, now: .now) } catch {
                self.onEvent(.dataChannelError(channel, "\(error)"))
            }
        }
    }

    /// Closes a data channel (SCTP stream reset); `.dataChannelClosed` follows through `onEvent`.
    public func closeDataChannel(_ channel: PeerConnection.DataChannelID) {
        onLoop { connection in connection.closeDataChannel(channel, now: .now) }
    }

    /// Runs `body` on the loop thread without waiting for it, then drains the connection.
    private func onLoop(_ body: @escaping @Sendable (PeerConnection) -> Void) {
        guard let loop else {
            body(connection)
            drainConnection()
            return
        }
        loop.perform { [self] in
            body(connection)
            drainConnection()
        }
    }

    /// Queues audio to send, paced at one 20 ms frame per tick (48 kHz mono).
    public func enqueue(_ audio: AudioFrame) {
        for frame in audio.chunked(milliseconds: 20) { outgoingAudio.append(frame) }
        audioQueued()
    }

    /// Tells the loop that `outgoingAudio` has frames (a producer appended to it directly).
    public func audioQueued() {
        loop?.perform { [self] in startPacing(now: .now) }
    }

    /// Closes the connection (BYE, close alert), lets the loop send them, and stops it.
    public func stop() {
        loop?.perform { [self] in
            connection.close(now: .now)
            drainConnection()
        }
        loop?.stop()
        loop = nil
    }

    // MARK: UDPEventLoopHandler (loop thread)

    public func datagramReceived(_ bytes: UnsafeRawBufferPointer, from source: SocketAddress, socketIndex: Int,
                                 now: ContinuousClock.Instant) {
        guard let remote = transportAddress(source) else { return }
        if simulatedLoss > 0, let first = bytes.first, dropsSimulated(firstByte: first) { return }
        connection.handleDatagram(bytes, from: remote, to: localAddresses[socketIndex], now: now)
        drainConnection()
    }

    public func nextTransmit(now: ContinuousClock.Instant) -> UDPTransmit? {
        pendingTransmits.popFirst()
    }

    public func nextDeadline() -> ContinuousClock.Instant? {
        guard let tick = nextSendTick else { return connection.nextDeadline }
        guard let deadline = connection.nextDeadline else { return tick }
        return min(deadline, tick)
    }

    public func timeoutFired(now: ContinuousClock.Instant) {
        if let deadline = connection.nextDeadline, deadline <= now {
            connection.handle(PeerConnection.timeout, now: now)
        }
        if let tick = nextSendTick, tick <= now {
            if sendNextFrame(now: now) {
                nextSendTick = outgoingAudio.count == 0 ? nil : max(tick + .milliseconds(20), now - .milliseconds(20))
            } else {
                nextSendTick = nil  // not connected yet: pacing restarts when the connection is up
            }
        }
        drainConnection()
    }

    private func startPacing(now: ContinuousClock.Instant) {
        if nextSendTick == nil, connection.state == .connected, outgoingAudio.count > 0 { nextSendTick = now }
    }

    /// Sends the oldest queued frame; false when the connection cannot send yet (the frame stays).
    private func sendNextFrame(now: ContinuousClock.Instant) -> Bool {
        guard connection.state == .connected else { return false }
        guard var frame = outgoingAudio.removeFirst() else { return true }
        if frame.samplesPerChannel < 960 {
            frame.samples += [Int16](repeating: 0, count: (960 - frame.samplesPerChannel) * frame.channels)
        }
        if let packet = try? encoder.encode(frame) { connection.sendAudio(packet, now: now) }
        return true
    }

    /// Carries out everything the connection produced: transmits queue for the loop, events (decoded
    /// audio included) go out now, in the order the connection produced them.
    private func drainConnection() {
        while let output = connection.pollOutput() {
            switch output {
            case .transmit(let bytes, let from, let to):
                if simulatedLoss > 0, let first = bytes.first, dropsSimulated(firstByte: first) { continue }
                guard let index = localAddresses.firstIndex(of: from), let destination = socketAddress(to) else { continue }
                pendingTransmits.append(UDPTransmit(socketIndex: index, destination: destination, bytes: bytes))
            case .event(let event):
                handle(event)
            }
        }
    }

    private func handle(_ event: PeerConnection.Event) {
        switch event {
        case .audio(let mid, let slot):
            decode(slot, mid: mid)
            return
        case .stateChanged(.connected):
            startPacing(now: .now)
        default:
            break
        }
        onEvent(event)
    }

    private func decode(_ slot: JitterBuffer.Output, mid: String) {
        if decoders[mid] == nil { decoders[mid] = try? OpusDecoder() }
        guard let decoder = decoders[mid] else { return }
        let frame: AudioFrame?
        switch slot {
        case .frame(let payload, _, _):
            frame = try? decoder.decode(Array(payload))
        case .missing(_, let fecSource):
            if let fecSource, let recovered = try? decoder.recoverFromFEC(nextPacket: Array(fecSource)) {
                frame = recovered
            } else {
                frame = try? decoder.concealLoss()
            }
        }
        if let frame { onAudio(mid, frame) }
    }

    /// RFC 7983: 20...63 is DTLS.
    private func dropsSimulated(firstByte: UInt8) -> Bool {
        guard (20...63).contains(firstByte), connection.state == .connected else { return false }
        return Double(lossRandom.next() >> 11) / Double(1 << 53) < simulatedLoss
    }

    private func transportAddress(_ address: SocketAddress) -> TransportAddress? {
        if let cached = addressCache[address] { return cached }
        guard let converted = TransportAddress(host: address.host, port: address.port) else { return nil }
        if addressCache.count > 64 { addressCache.removeAll() }
        addressCache[address] = converted
        return converted
    }

    private func socketAddress(_ address: TransportAddress) -> SocketAddress? {
        if let cached = socketAddressCache[address] { return cached }
        guard let converted = SocketAddress(host: address.host, port: address.port) else { return nil }
        if socketAddressCache.count > 64 { socketAddressCache.removeAll() }
        socketAddressCache[address] = converted
        return converted
    }
}
