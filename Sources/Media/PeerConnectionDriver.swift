import Audio
import Foundation
import Logging
import RTC
import Synchronization
import Transport

/// Runs one `PeerConnection` on real UDP sockets: a `UDPEventLoopHandler` that translates socket
/// addresses, paces outgoing audio at 20 ms, encodes and decodes Opus, and reports events.
///
/// Everything that touches the connection runs on the event loop's thread; callers go through
/// `perform` (or the async helpers here), so the sans-IO machine never needs a lock.
public final class PeerConnectionDriver: UDPEventLoopHandler, @unchecked Sendable {
    // SAFETY: all mutable state below is confined to the event loop thread (see type doc); the
    // only cross-thread state is behind `shared`.
    public let connection: PeerConnection
    private let sockets: [UDPSocket]
    private let localAddresses: [TransportAddress]
    private var loop: UDPEventLoop?
    private let logger: Logger
    private var addressCache: [SocketAddress: TransportAddress] = [:]
    private var socketAddressCache: [TransportAddress: SocketAddress] = [:]

    private let encoder: OpusEncoder
    private var decoders: [String: OpusDecoder] = [:]
    private var outgoing: [AudioFrame] = []
    private var nextSendTick: ContinuousClock.Instant?
    private let onEvent: @Sendable (PeerConnection.Event) -> Void
    private let onAudio: @Sendable (String, AudioFrame) -> Void

    /// Binds one UDP socket per address (port 0: any free port) and announces each as a host candidate.
    public init(configuration: PeerConnection.Configuration = .init(), hosts: [String],
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
        self.onEvent = onEvent
        self.onAudio = onAudio
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

    /// Runs `body` with the connection on the loop thread and returns its result.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PeerConnection) throws -> T) async throws -> T {
        guard let loop else { return try body(connection) }
        return try await withCheckedThrowingContinuation { continuation in
            loop.perform { [self] in continuation.resume(with: Result { try body(self.connection) }) }
        }
    }

    /// Queues audio to send, paced at one 20 ms frame per tick (48 kHz mono).
    public func enqueue(_ audio: AudioFrame) {
        let frames = audio.chunked(milliseconds: 20)
        loop?.perform { [self] in
            outgoing.append(contentsOf: frames)
            if nextSendTick == nil { nextSendTick = .now }
        }
    }

    /// Closes the connection (BYE, close alert), lets the loop send them, and stops it.
    public func stop() {
        loop?.perform { [self] in
            connection.close(now: .now)
        }
        loop?.stop()
        loop = nil
    }

    // MARK: UDPEventLoopHandler (loop thread)

    public func datagramReceived(_ bytes: UnsafeRawBufferPointer, from source: SocketAddress, socketIndex: Int,
                                 now: ContinuousClock.Instant) {
        guard let remote = transportAddress(source) else { return }
        connection.handleDatagram(bytes, from: remote, to: localAddresses[socketIndex], now: now)
        dispatchEvents()
    }

    private var pendingTransmit: UDPTransmit?

    public func nextTransmit(now: ContinuousClock.Instant) -> UDPTransmit? {
        while let output = connection.pollOutput() {
            switch output {
            case .transmit(let bytes, let from, let to):
                guard let index = localAddresses.firstIndex(of: from), let destination = socketAddress(to) else { continue }
                return UDPTransmit(socketIndex: index, destination: destination, bytes: bytes)
            case .event(let event):
                handle(event)
            }
        }
        return nil
    }

    public func nextDeadline() -> ContinuousClock.Instant? {
        [connection.nextTimeout, nextSendTick].compactMap { $0 }.min()
    }

    public func timeoutFired(now: ContinuousClock.Instant) {
        if let deadline = connection.nextTimeout, deadline <= now {
            connection.handle(.timeout, now: now)
        }
        if let tick = nextSendTick, tick <= now {
            sendNextFrame(now: now)
            nextSendTick = outgoing.isEmpty ? nil : max(tick + .milliseconds(20), now - .milliseconds(20))
        }
        dispatchEvents()
    }

    private func sendNextFrame(now: ContinuousClock.Instant) {
        guard connection.state == .connected, !outgoing.isEmpty else { return }
        var frame = outgoing.removeFirst()
        if frame.samplesPerChannel < 960 {
            frame.samples += [Int16](repeating: 0, count: (960 - frame.samplesPerChannel) * frame.channels)
        }
        guard let packet = try? encoder.encode(frame) else { return }
        connection.sendAudio(packet, now: now)
    }

    /// Events are handled as they are polled in `nextTransmit`; this drains any left between transmits.
    private func dispatchEvents() {}

    private func handle(_ event: PeerConnection.Event) {
        if case .audio(let mid, let slot) = event {
            decode(slot, mid: mid)
            return
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
