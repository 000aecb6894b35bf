import Foundation
import Logging
import NIOCore
import NIOPosix
import LiveKitProtocol
import RTC

/// What the signalling core asks of the media plane.
public enum MediaCommand: Sendable {
    /// The participant's publisher offer: answer it (ICE-lite, DTLS-SRTP, unused sections inactive).
    case publisherOffer(participant: String, sdp: String)
    /// The participant's answer to our subscriber offer.
    case subscriberAnswer(participant: String, sdp: String)
    /// A trickled candidate (`candidate:…`) for one of the participant's connections.
    case candidate(participant: String, subscriber: Bool, candidate: String)
    /// Forward `publisher`'s audio to `subscriber` as track `trackSid` (stream id `PA_…|TR_…`).
    case subscribe(subscriber: String, publisher: String, trackSid: String)
    /// Who a participant is, for data forwarding: its identity (filled into the packets it sends),
    /// its room, and whether it may publish data.
    case identify(participant: String, identity: String, room: String, canPublishData: Bool)
    /// The participant left: close its connections and stop forwarding to and from it.
    case remove(participant: String)
}

/// What the media plane tells the signalling core.
public enum MediaEvent: Sendable {
    case answer(participant: String, sdp: String)
    case subscriberOffer(participant: String, sdp: String)
    /// A published audio track's media arrived; `trackID` is the msid track id (the AddTrack cid).
    case trackReceived(participant: String, trackID: String?)
    case connected(participant: String, subscriber: Bool)
    case failed(participant: String, reason: String)
}

/// The SFU's media plane: every participant's publisher and subscriber `PeerConnection` on one UDP
/// port, all confined to that socket's NIO event loop.
///
/// ICE-lite (RFC 8445 §2.5): we only answer checks, so the one socket's host candidate is all a
/// client needs. Datagrams are demultiplexed by remote address once known, else by the local
/// ufrag in the STUN USERNAME (RFC 8445 §7.2.2). Each published Opus frame is forwarded to the
/// subscribers' connections without decoding; each connection keeps its own SSRC, sequence,
/// timestamps and RTCP (receiver reports upstream, sender reports downstream).
final class MediaPlane: @unchecked Sendable {
    // SAFETY: every stored property below `channel` is touched only on `channel.eventLoop` (all
    // entry points hop there with `execute`), which serialises them.
    let channel: any Channel
    let local: TransportAddress
    private let onEvent: @Sendable (MediaEvent) -> Void
    private let logger: Logger
    private var sessions: [SessionKey: PeerSession] = [:]
    private var byUfrag: [String: SessionKey] = [:]
    private var byRemote: [TransportAddress: SessionKey] = [:]
    /// Publisher sid → subscriber sids.
    private var forwards: [String: Set<String>] = [:]
    /// Data forwarding: who each participant is, and its publisher connection's channels by label.
    private var members: [String: (identity: String, room: String, canPublishData: Bool)] = [:]
    private var channels: [String: [String: PeerConnection.DataChannelID]] = [:]
    private var timer: Scheduled<Void>?
    private var timerDeadline: ContinuousClock.Instant?

    struct SessionKey: Hashable {
        var participant: String
        var subscriber: Bool
    }

    final class PeerSession {
        let connection: PeerConnection
        var connected = false
        init(_ connection: PeerConnection) { self.connection = connection }
    }

    static func bind(host: String, port: Int, logger: Logger, onEvent: @escaping @Sendable (MediaEvent) -> Void)
        async throws -> MediaPlane
    {
        let receiver = DatagramReceiver()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
            .channelInitializer { channel in channel.pipeline.addHandler(receiver) }
            .bind(host: host, port: port).get()
        guard let bound = channel.localAddress, let ip = bound.ipAddress, let boundPort = bound.port,
              let local = TransportAddress(host: ip, port: UInt16(boundPort)) else {
            try? await channel.close()
            throw ServerError.configuration("the media socket on \(host):\(port) has no usable address")
        }
        let plane = MediaPlane(channel: channel, local: local, logger: logger, onEvent: onEvent)
        receiver.plane = plane
        return plane
    }

    private init(channel: any Channel, local: TransportAddress, logger: Logger,
                 onEvent: @escaping @Sendable (MediaEvent) -> Void) {
        self.channel = channel
        self.local = local
        self.logger = logger
        self.onEvent = onEvent
    }

    var port: Int { Int(local.port) }

    func execute(_ command: MediaCommand) {
        channel.eventLoop.execute { self.apply(command) }
    }

    func close() async {
        try? await channel.eventLoop.submit {
            self.timer?.cancel()
            for session in self.sessions.values { session.connection.close(now: .now) }
            self.flushAll()
            self.sessions = [:]
        }.get()
        try? await channel.close()
    }

    // MARK: Commands

    private func apply(_ command: MediaCommand) {
        let now = ContinuousClock.now
        switch command {
        case .publisherOffer(let participant, let sdp):
            let key = SessionKey(participant: participant, subscriber: false)
            do {
                let session = try sessions[key] ?? makeSession(key)
                try session.connection.setRemoteDescription(sdp, type: .offer, now: now)
                let answer = Self.announceLite(try session.connection.createAnswer())
                register(ufragOf: answer, for: key)
                onEvent(.answer(participant: participant, sdp: answer))
            } catch {
                onEvent(.failed(participant: participant, reason: "publisher offer refused: \(error)"))
            }
            drain(key, now: now)
        case .subscriberAnswer(let participant, let sdp):
            let key = SessionKey(participant: participant, subscriber: true)
            guard let session = sessions[key] else { return }
            do { try session.connection.setRemoteDescription(sdp, type: .answer, now: now) } catch {
                onEvent(.failed(participant: participant, reason: "subscriber answer refused: \(error)"))
            }
            drain(key, now: now)
        case .candidate(let participant, let subscriber, let candidate):
            let key = SessionKey(participant: participant, subscriber: subscriber)
            // ICE-lite needs no remote candidates (the client's checks reveal its address); they
            // are applied when the connection exists only so its statistics know them.
            guard let session = sessions[key] else { return }
            try? session.connection.addRemoteCandidate(candidate, now: now)
            drain(key, now: now)
        case .subscribe(let subscriber, let publisher, let trackSid):
            subscribe(subscriber, to: publisher, trackSid: trackSid, now: now)
        case .identify(let participant, let identity, let room, let canPublishData):
            members[participant] = (identity, room, canPublishData)
        case .remove(let participant):
            members[participant] = nil
            channels[participant] = nil
            for subscriber in [false, true] {
                let key = SessionKey(participant: participant, subscriber: subscriber)
                guard let session = sessions.removeValue(forKey: key) else { continue }
                session.connection.close(now: now)
                flush(session.connection)
                byUfrag = byUfrag.filter { $0.value != key }
                byRemote = byRemote.filter { $0.value != key }
            }
            forwards[participant] = nil
            for publisher in forwards.keys { forwards[publisher]?.remove(participant) }
        }
        rearm()
    }

    private func subscribe(_ subscriber: String, to publisher: String, trackSid: String, now: ContinuousClock.Instant) {
        let key = SessionKey(participant: subscriber, subscriber: true)
        do {
            let session = try sessions[key] ?? makeSession(key)
            // One forwarded track per subscriber connection (the PeerConnection sends one track).
            session.connection.addSendTrack(streamID: "\(publisher)|\(trackSid)", trackID: trackSid)
            let offer = Self.announceLite(try session.connection.createOffer())
            register(ufragOf: offer, for: key)
            forwards[publisher, default: []].insert(subscriber)
            onEvent(.subscriberOffer(participant: subscriber, sdp: offer))
        } catch {
            onEvent(.failed(participant: subscriber, reason: "subscriber offer failed: \(error)"))
        }
        drain(key, now: now)
    }

    private func makeSession(_ key: SessionKey) throws -> PeerSession {
        var configuration = PeerConnection.Configuration()
        configuration.ice.isLite = true
        let connection = PeerConnection(configuration: configuration, certificate: try DTLSCertificate())
        connection.addLocalHostCandidate(local)
        let session = PeerSession(connection)
        sessions[key] = session
        return session
    }

    private func register(ufragOf sdp: String, for key: SessionKey) {
        for line in sdp.split(whereSeparator: \.isNewline) where line.hasPrefix("a=ice-ufrag:") {
            byUfrag[String(line.dropFirst("a=ice-ufrag:".count))] = key
        }
    }

    /// Our SDP does not say `a=ice-lite` by itself; a full-ICE client must read it to take the
    /// controlling role and nominate (RFC 8445 §6.1.1), also where we are the offerer.
    static func announceLite(_ sdp: String) -> String {
        guard !sdp.contains("a=ice-lite"), let range = sdp.range(of: "\r\nt=") else { return sdp }
        guard let end = sdp.range(of: "\r\n", range: range.upperBound..<sdp.endIndex) else { return sdp }
        var result = sdp
        result.insert(contentsOf: "\r\na=ice-lite", at: end.lowerBound)
        return result
    }

    // MARK: Datagrams

    func received(_ bytes: [UInt8], from remote: TransportAddress) {
        let now = ContinuousClock.now
        var key = byRemote[remote]
        if key == nil, let ufrag = STUNUsername.localFragment(bytes), let found = byUfrag[ufrag] {
            key = found
            byRemote[remote] = found
        }
        guard let key, let session = sessions[key] else { return }
        session.connection.handle(.datagram(bytes, from: remote, to: local), now: now)
        drain(key, now: now)
        rearm()
    }

    private func drain(_ key: SessionKey, now: ContinuousClock.Instant) {
        guard let session = sessions[key] else { return }
        while let output = session.connection.pollOutput() {
            switch output {
            case .transmit(let bytes, _, let to): transmit(bytes, to: to)
            case .event(let event): handle(event, from: key, now: now)
            }
        }
    }

    private func handle(_ event: PeerConnection.Event, from key: SessionKey, now: ContinuousClock.Instant) {
        switch event {
        case .stateChanged(.connected):
            guard let session = sessions[key], !session.connected else { return }
            session.connected = true
            onEvent(.connected(participant: key.participant, subscriber: key.subscriber))
        case .stateChanged(.failed):
            onEvent(.failed(participant: key.participant, reason: "\(key.subscriber ? "subscriber" : "publisher") connection failed"))
        case .trackAdded(let track) where !key.subscriber:
            onEvent(.trackReceived(participant: key.participant, trackID: track.trackID))
        case .audio(_, let output) where !key.subscriber:
            forward(output, from: key.participant, now: now)
        case .dataChannelOpened(let channel) where !key.subscriber:
            channels[key.participant, default: [:]][channel.label] = channel.id
        case .dataChannelMessage(let id, let message) where !key.subscriber:
            guard let label = channels[key.participant]?.first(where: { $0.value == id })?.key,
                  label == "_reliable" || label == "_lossy", case .binary(let bytes) = message else { return }
            forwardData(bytes, label: label, from: key.participant, now: now)
        case .failure(let error):
            logger.debug("peer connection failure", metadata: ["participant.sid": "\(key.participant)", "error": "\(error)"])
        default:
            break
        }
    }

    /// One 20 ms slot of a publisher's track to every subscriber, without decoding.
    private func forward(_ output: JitterBuffer.Output, from publisher: String, now: ContinuousClock.Instant) {
        guard let subscribers = forwards[publisher] else { return }
        for subscriber in subscribers {
            let key = SessionKey(participant: subscriber, subscriber: true)
            guard let session = sessions[key] else { continue }
            switch output {
            case .frame(let payload, _, _): session.connection.sendAudio(Array(payload), now: now)
            case .missing: session.connection.skipAudio()
            }
            flush(session.connection)
        }
    }

    /// A DataPacket from a publisher's `_reliable`/`_lossy` channel to the others in its room on the
    /// same kind of channel (reliable→reliable, lossy→lossy), with the sender's identity filled in
    /// and `destination_identities` honoured. Downstream data rides the clients' own publisher
    /// channels, as LiveKit does when the publisher connection is primary.
    private func forwardData(_ bytes: [UInt8], label: String, from sender: String, now: ContinuousClock.Instant) {
        guard let member = members[sender], member.canPublishData,
              var packet = try? Livekit_DataPacket(serializedBytes: bytes) else { return }
        packet.participantIdentity = member.identity
        if case .user(var user)? = packet.value {
            user.participantSid = sender
            user.participantIdentity = member.identity
            packet.user = user
        }
        let destinations = Set(packet.destinationIdentities.isEmpty && packet.user.destinationIdentities.isEmpty
            ? [] : packet.destinationIdentities + packet.user.destinationIdentities)
        guard let forwarded = try? packet.serializedBytes() as [UInt8] else { return }
        for (sid, other) in members where sid != sender && other.room == member.room
            && (destinations.isEmpty || destinations.contains(other.identity)) {
            guard let channel = channels[sid]?[label],
                  let session = sessions[SessionKey(participant: sid, subscriber: false)] else { continue }
            try? session.connection.sendData(.binary(forwarded), on: channel, now: now)
            flush(session.connection)
        }
    }

    /// Sends what a connection has queued (subscribers' events are not needed here).
    private func flush(_ connection: PeerConnection) {
        while let output = connection.pollOutput() {
            if case .transmit(let bytes, _, let to) = output { transmit(bytes, to: to) }
        }
    }

    private func flushAll() {
        for session in sessions.values { flush(session.connection) }
    }

    private func transmit(_ bytes: [UInt8], to address: TransportAddress) {
        guard let remote = try? SocketAddress(ipAddress: address.host, port: Int(address.port)) else { return }
        let envelope = AddressedEnvelope(remoteAddress: remote, data: channel.allocator.buffer(bytes: bytes))
        channel.writeAndFlush(envelope, promise: nil)
    }

    // MARK: Timers

    /// Sleeps until the earliest connection deadline; no periodic tick.
    private func rearm() {
        let deadline = sessions.values.compactMap(\.connection.nextDeadline).min()
        guard deadline != timerDeadline else { return }
        timer?.cancel()
        timerDeadline = deadline
        guard let deadline else { return }
        let delay = max(deadline - .now, .zero)
        let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        timer = channel.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { [self] in
            timerDeadline = nil
            let now = ContinuousClock.now
            for (key, session) in sessions {
                if let due = session.connection.nextDeadline, due <= now {
                    session.connection.handle(.timeout, now: now)
                    drain(key, now: now)
                }
            }
            rearm()
        }
    }
}

/// Hands the socket's datagrams to the plane, on the socket's event loop.
private final class DatagramReceiver: ChannelInboundHandler, @unchecked Sendable {
    // SAFETY: `plane` is set once before the first datagram can be read and only read on the event loop.
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    weak var plane: MediaPlane?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let plane, let ip = envelope.remoteAddress.ipAddress, let port = envelope.remoteAddress.port,
              let remote = TransportAddress(host: ip, port: UInt16(port)) else { return }
        plane.received(Array(envelope.data.readableBytesView), from: remote)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port-unreachable after a client left surfaces here; the socket stays open.
    }
}
