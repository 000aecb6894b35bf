import Foundation
import SansIO

/// A WebRTC peer connection as one sans-IO state machine: ICE, DTLS-SRTP, RTP/RTCP and a jitter
/// buffer per remote audio track, data channels over SCTP in DTLS (`+DataChannels.swift`),
/// negotiated by JSEP offer/answer.
///
/// The driver binds UDP sockets, announces them with `addLocalHostCandidate`, exchanges SDP, then
/// feeds datagrams and timeouts and sends whatever `pollOutput` hands back. Nothing here touches a
/// socket or a clock, so two connections run back to back in a test with a virtual clock.
///
/// Datagrams are demultiplexed by first byte (RFC 7983): STUN to ICE, DTLS records to DTLS, and
/// RTP/RTCP through SRTP; DTLS application data is SCTP (RFC 8261). A packet that fails anywhere
/// is counted and dropped, never fatal.
public final class PeerConnection {
    public let configuration: Configuration
    public let certificate: DTLSCertificate
    public private(set) var state: State = .new
    public internal(set) var statistics = Statistics()

    let ice: ICEAgent
    var jsep: JSEPSession
    private var sendTransceiver: JSEPSession.TransceiverID?
    /// A receive-only transceiver, so an offer without a send track still asks for the peer's audio.
    private var receiveTransceiver: JSEPSession.TransceiverID?
    /// The answer prepared when a remote offer was applied; `createAnswer` hands it out.
    private var pendingAnswer: SessionDescription?
    var dtls: DTLSTransport?
    var dtlsRole: DTLSRole?
    private var srtp: SRTPSession?
    private var rtcp: RTCPScheduler?
    private var sender: OpusRTPPacketizer?
    private var receivers: [String: RemoteAudioReceiver] = [:]
    /// The receivers' mids in playout order, kept beside the map so the 20 ms playout tick does not
    /// sort (allocate) on every tick; updated only when negotiation changes the receivers.
    private var playoutOrder: [String] = []
    private var ssrcToMid: [UInt32: String] = [:]
    /// The negotiated header-extension IDs, cached so the receive path does not rebuild them.
    private var extensionMap = RTPHeaderExtensionMap()
    var outputs: [Output] = []
    /// Data channels and their SCTP association (created once DTLS is up and SDP negotiated data).
    var data = DataChannelSet()
    private var dtlsDeadline: ContinuousClock.Instant?
    private var rtcpDeadline: ContinuousClock.Instant?
    private var playoutDeadline: ContinuousClock.Instant?
    private var startedAt: ContinuousClock.Instant?
    private var sendBuffer: [UInt8] = []
    /// Where `handleDatagram` decrypts media in place (reused, so receiving allocates nothing).
    private var receiveScratch: [UInt8] = []
    private let localSSRC = UInt32.random(in: 1...UInt32.max)

    /// Wall-clock seconds since 1970, read only for RTCP sender-report NTP times.
    private let wallClock: @Sendable () -> Double

    public init(configuration: Configuration = .init(), certificate: DTLSCertificate,
                wallClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.configuration = configuration
        self.wallClock = wallClock
        self.certificate = certificate
        let ice = ICEAgent(localCredentials: .random(), role: .controlling, configuration: configuration.ice)
        self.ice = ice
        jsep = JSEPSession(configuration: .init(
            iceUsernameFragment: ice.localCredentials.usernameFragment, icePassword: ice.localCredentials.password,
            fingerprints: [SDPFingerprint(algorithm: certificate.fingerprint.algorithm.rawValue,
                                          value: certificate.fingerprint.hexDigest)],
            endOfCandidates: true, cname: configuration.cname,
            sessionID: String(UInt64.random(in: 1...UInt64(Int64.max)))))
        jsep.configuration.maxMessageSize = configuration.maxMessageSize
        sendBuffer.reserveCapacity(1500)
        receiveScratch.reserveCapacity(1500)
    }

    // MARK: Setup

    /// A local address the driver bound a socket to; it becomes a host candidate in our SDP.
    public func addLocalHostCandidate(_ address: TransportAddress) {
        let candidate = ice.addLocalHostCandidate(address)
        jsep.configuration.candidates.append(candidate.sdpAttribute)
    }

    /// Adds the audio track we send. Call before `createOffer`/`setRemoteDescription(offer)`.
    public func addSendTrack(streamID: String = "steadfast", trackID: String = "audio") {
        let track = AudioSendTrack(streamID: streamID, trackID: trackID, ssrc: localSSRC)
        if let sendTransceiver {
            try? jsep.setSendTrack(track, on: sendTransceiver)
        } else {
            sendTransceiver = jsep.addTransceiver(sending: track, receiving: true)
        }
    }

    public func createOffer() throws(RTCError) -> String {
        if sendTransceiver == nil, receiveTransceiver == nil, !jsep.wantsDataChannel {
            receiveTransceiver = jsep.addTransceiver(sending: nil, receiving: true)
        }
        syncLocalCredentials()
        return jsep.createOffer().serialized()
    }

    /// The answer to the remote offer last applied with `setRemoteDescription(_:type: .offer, now:)`.
    /// Adds a receive-only audio m-line to our next offer. `createOffer` adds one by itself only when
    /// no data channel was created (so a data-only offer stays data-only).
    public func addReceiveOnlyAudio() {
        guard sendTransceiver == nil, receiveTransceiver == nil else { return }
        receiveTransceiver = jsep.addTransceiver(sending: nil, receiving: true)
    }

    public func createAnswer() throws(RTCError) -> String {
        guard let pendingAnswer else { throw RTCError(.invalidState, "createAnswer needs a remote offer first") }
        return pendingAnswer.serialized()
    }

    /// Applies the peer's offer or answer: ICE credentials and candidates, DTLS role and fingerprint,
    /// and the audio m-lines. A remote ice-lite agent makes us controlling even when we answer.
    public func setRemoteDescription(_ sdp: String, type: SDPType, now: ContinuousClock.Instant) throws(RTCError) {
        let remote = try SessionDescription(parsing: sdp)
        if startedAt == nil { startedAt = now }
        let previousRemote = ice.remoteCredentials
        let negotiated: NegotiatedSession
        switch type {
        case .offer:
            // New remote credentials mean an ICE restart (RFC 8445 §9); the answerer restarts too,
            // with fresh credentials, before its answer is written.
            if let previousRemote, let ufrag = remote.media.indices.first.flatMap({ remote.iceUsernameFragment(forMediaAt: $0) }),
               ufrag != previousRemote.usernameFragment {
                ice.restart(localCredentials: .random())
            }
            syncLocalCredentials()
            let answer = try jsep.createAnswer(to: remote)
            pendingAnswer = answer.description
            negotiated = answer.session
        case .answer:
            negotiated = try jsep.applyRemoteAnswer(remote)
        }
        try apply(negotiated, firstNegotiation: previousRemote == nil, now: now)
    }

    private func apply(_ negotiated: NegotiatedSession, firstNegotiation: Bool, now: ContinuousClock.Instant) throws(RTCError) {
        guard let sdpFingerprint = negotiated.remoteFingerprint else {
            throw RTCError(.malformedSDP, "the remote description has no a=fingerprint")
        }
        let remoteFingerprint = try DTLSFingerprint(sdpValue: "\(sdpFingerprint.algorithm) \(sdpFingerprint.value)")
        if firstNegotiation { ice.role = negotiated.isICEControlling ? .controlling : .controlled }
        ice.remoteIsLite = negotiated.remoteICELite
        ice.setRemoteCredentials(ICECredentials(usernameFragment: negotiated.remoteICEUsernameFragment,
                                                password: negotiated.remoteICEPassword))
        for candidate in negotiated.remoteCandidates {
            if let parsed = try? ICECandidate(sdpAttribute: candidate) { ice.addRemoteCandidate(parsed) }
        }
        if negotiated.remoteEndOfCandidates { ice.remoteEndOfCandidates() }
        try configureDTLS(role: negotiated.dtlsRole, remoteFingerprint: remoteFingerprint, now: now)
        let audio = negotiated.media.filter { !$0.rejected && $0.kind == .audio }
        if let first = audio.first {
            extensionMap = RTPHeaderExtensionMap(first.extensionIDs.compactMap { uri, id in
                (1...14).contains(id) ? (UInt8(id), uri) : nil
            })
        }
        configureMedia(audio.map { media in
            NegotiatedAudio(
                mid: media.mid, payloadType: media.opusPayloadType ?? 111, extensionMap: extensionMap,
                weSend: media.direction.sends && media.transceiver != nil && media.transceiver == sendTransceiver,
                remoteSends: media.direction.receives, remoteSSRC: media.remoteSSRCs.first,
                remoteStreamID: media.remoteMSID?.streamID, remoteTrackID: media.remoteMSID?.trackID)
        }, now: now)
        configureData(negotiated.media.first { $0.kind == .application && !$0.rejected }, now: now)
        if state == .new { transition(to: .connecting) }
        ice.handle(.timeout, now: now)
        drainICE(now: now)
    }

    private func syncLocalCredentials() {
        jsep.configuration.iceUsernameFragment = ice.localCredentials.usernameFragment
        jsep.configuration.icePassword = ice.localCredentials.password
    }

    /// A trickled remote candidate ("candidate:…" or "a=candidate:…"); an empty string ends candidates.
    public func addRemoteCandidate(_ attribute: String, now: ContinuousClock.Instant) throws(RTCError) {
        if attribute.isEmpty || attribute.hasSuffix("end-of-candidates") {
            ice.remoteEndOfCandidates()
        } else {
            ice.addRemoteCandidate(try ICECandidate(sdpAttribute: attribute))
        }
        ice.handle(.timeout, now: now)
        drainICE(now: now)
    }

    // MARK: Running

    public func handle(_ input: Input, now: ContinuousClock.Instant) {
        switch input {
        case .datagram(let bytes, let from, let to):
            receive(bytes, from: from, to: to, now: now)
        case .timeout:
            fireTimers(now: now)
        }
    }

    /// SCTP builds its packets here, when the driver drains, so a burst of `sendData` calls fills
    /// packets instead of sending one per message.
    public func pollOutput() -> Output? {
        if outputs.isEmpty, data.needsDrain { drainSCTP() }
        return outputs.isEmpty ? nil : outputs.removeFirst()
    }

    /// The earliest instant any part of the connection wants `.timeout` (nil: only input wakes it).
    /// No array is built: drivers read it after every datagram.
    public var nextDeadline: ContinuousClock.Instant? {
        Self.earlier(Self.earlier(Self.earlier(ice.nextDeadline, dtlsDeadline), Self.earlier(rtcpDeadline, playoutDeadline)),
                     data.sctp?.nextDeadline)
    }

    /// The name `nextDeadline` had before the `ProtocolCore` convention (the benchmarks still use it).
    public var nextTimeout: ContinuousClock.Instant? { nextDeadline }

    static func earlier(_ a: ContinuousClock.Instant?, _ b: ContinuousClock.Instant?) -> ContinuousClock.Instant? {
        guard let a else { return b }
        guard let b else { return a }
        return min(a, b)
    }

    /// Starts an ICE restart: new local credentials, so the next offer restarts connectivity checks
    /// while media keeps flowing on the current pair until a new one is selected.
    public func restartICE() {
        ice.restart(localCredentials: .random())
    }

    /// Sends one encoded Opus frame on our track (dropped until the connection is up).
    public func sendAudio(_ opusFrame: [UInt8], samples: Int = 960, now: ContinuousClock.Instant) {
        guard state == .connected, let srtp, let path = ice.selectedPair, sender != nil else { return }
        sendBuffer.removeAll(keepingCapacity: true)
        let sent = sender!.packetize(opusFrame[...], samples: samples, into: &sendBuffer)
        let payloadLength = opusFrame.count
        do { try srtp.protectRTP(&sendBuffer) } catch {
            statistics.droppedDatagrams += 1
            return
        }
        rtcp?.handleSentRTP(timestamp: sent.timestamp, payloadLength: payloadLength, now: now)
        statistics.packetsSent += 1
        statistics.bytesSent += sendBuffer.count
        outputs.append(.transmit(sendBuffer, from: path.local, to: path.remote))
    }

    /// Advances our send timeline over a silent gap without sending (the next packet carries the marker).
    public func skipAudio(samples: Int = 960) { sender?.skip(samples: samples) }

    /// Sends RTCP BYE and a DTLS close alert, then stops.
    public func close(now: ContinuousClock.Instant) {
        guard state != .closed else { return }
        rtcp?.close(now: now)
        drainRTCP(now: now)
        dtls?.close(now: now)
        drainDTLS(now: now)
        ice.close()
        drainICE(now: now)
        dtlsDeadline = nil; rtcpDeadline = nil; playoutDeadline = nil
        endData(reason: nil)
        transition(to: .closed)
    }

    // MARK: Receive path

    private func receive(_ bytes: [UInt8], from: TransportAddress, to: TransportAddress, now: ContinuousClock.Instant) {
        switch MultiplexedPacketKind(classifying: bytes[...]) {
        case .stun:
            ice.handle(.datagram(bytes, from: from, to: to), now: now)
            drainICE(now: now)
        case .dtls:
            guard let dtls else { statistics.droppedDatagrams += 1; return }
            dtls.handle(.datagram(bytes), now: now)
            drainDTLS(now: now)
        case .rtp:
            var packet = bytes
            receiveRTP(&packet, now: now)
        case .rtcp:
            var packet = bytes
            receiveRTCP(&packet, now: now)
        case .unknown:
            statistics.droppedDatagrams += 1
        }
    }

    /// Receives a datagram whose bytes the caller keeps (a driver's reused receive buffer). RTP and
    /// RTCP are copied into one scratch buffer and decrypted in place there, so the steady-state
    /// media path allocates nothing of its own (the jitter buffer copies payloads into its slots);
    /// STUN and DTLS, which are rare, take `handle(_:now:)`'s path.
    public func handleDatagram(_ bytes: UnsafeRawBufferPointer, from: TransportAddress, to: TransportAddress,
                               now: ContinuousClock.Instant) {
        var packet: [UInt8] = []
        swap(&packet, &receiveScratch)
        defer { swap(&packet, &receiveScratch) }
        packet.removeAll(keepingCapacity: true)
        packet.append(contentsOf: bytes)
        switch MultiplexedPacketKind(classifying: packet[...]) {
        case .rtp: receiveRTP(&packet, now: now)
        case .rtcp: receiveRTCP(&packet, now: now)
        case .stun, .dtls, .unknown: receive(Array(bytes), from: from, to: to, now: now)
        }
    }

    private func receiveRTP(_ packet: inout [UInt8], now: ContinuousClock.Instant) {
        guard let srtp else { statistics.droppedDatagrams += 1; return }
        let protectedLength = packet.count
        do { try srtp.unprotectRTP(&packet) } catch {
            statistics.droppedDatagrams += 1
            return
        }
        guard let rtp = try? RTPPacket(parsing: packet) else { statistics.droppedDatagrams += 1; return }
        guard let mid = route(rtp) else { statistics.droppedDatagrams += 1; return }
        statistics.packetsReceived += 1
        statistics.bytesReceived += protectedLength
        rtcp?.handleReceivedRTP(ssrc: rtp.header.ssrc, sequenceNumber: rtp.header.sequenceNumber,
                                timestamp: rtp.header.timestamp, payloadLength: rtp.payload.count, now: now)
        // `values[index]`, not `[mid]?`: the keyed modify allocates a coroutine frame per call.
        if let index = receivers.index(forKey: mid) { receivers.values[index].jitter.insert(rtp, now: now) }
        if playoutDeadline == nil { playoutDeadline = now + configuration.jitter.frameDuration }
    }

    /// Which m-line an RTP packet belongs to: by SSRC from SDP, then by the mid header extension,
    /// then (one receiving m-line) by elimination. The mapping is learned for the next packets.
    private func route(_ rtp: RTPPacket) -> String? {
        if let mid = ssrcToMid[rtp.header.ssrc] { return mid }
        var mid: String?
        if let value = rtp.header.extensions.mid(using: extensionMap), receivers[value] != nil {
            mid = value
        } else if receivers.count == 1 {
            mid = receivers.keys.first
        }
        guard let mid else { return nil }
        ssrcToMid[rtp.header.ssrc] = mid
        if receivers[mid]?.track.ssrc == nil {
            receivers[mid]?.track.ssrc = rtp.header.ssrc
        }
        return mid
    }

    private func receiveRTCP(_ packet: inout [UInt8], now: ContinuousClock.Instant) {
        guard let srtp else { statistics.droppedDatagrams += 1; return }
        do { try srtp.unprotectRTCP(&packet) } catch {
            statistics.droppedDatagrams += 1
            return
        }
        guard let packets = try? RTCPPacket.parseCompound(packet) else { statistics.droppedDatagrams += 1; return }
        statistics.rtcpReceived += 1
        rtcp?.handleReceivedRTCP(packets, now: now)
    }

    // MARK: Timers

    private func fireTimers(now: ContinuousClock.Instant) {
        if let deadline = ice.nextDeadline, deadline <= now {
            ice.handle(.timeout, now: now)
            drainICE(now: now)
        }
        if let deadline = dtlsDeadline, deadline <= now, let dtls {
            dtlsDeadline = nil
            dtls.handle(.timeout, now: now)
            drainDTLS(now: now)
        }
        if let deadline = rtcpDeadline, deadline <= now, rtcp != nil {
            rtcpDeadline = nil
            rtcp?.handleTimeout(now: now)
            drainRTCP(now: now)
        }
        if let deadline = data.sctp?.nextDeadline, deadline <= now {
            data.sctp?.handle(.timeout, now: now)
            data.needsDrain = true
        }
        if let deadline = playoutDeadline, deadline <= now {
            for mid in playoutOrder {
                guard let index = receivers.index(forKey: mid) else { continue }
                // A late wake-up plays the slots it missed, at most a few, then resynchronizes.
                for _ in 0..<4 {
                    guard let slot = receivers.values[index].jitter.pop(now: now) else { break }
                    outputs.append(.event(.audio(mid: mid, slot)))
                }
            }
            var next = deadline + configuration.jitter.frameDuration
            if next <= now { next = now + configuration.jitter.frameDuration }
            playoutDeadline = next
        }
    }

    // MARK: Component outputs

    private func drainICE(now: ContinuousClock.Instant) {
        while let output = ice.pollOutput() {
            switch output {
            case .transmit(let bytes, let from, let to):
                outputs.append(.transmit(bytes, from: from, to: to))
            case .event(let event):
                handleICE(event, now: now)
            }
        }
    }

    private func handleICE(_ event: ICEEvent, now: ContinuousClock.Instant) {
        switch event {
        case .localCandidateGathered(let candidate):
            outputs.append(.event(.localCandidate(candidate)))
        case .selectedPairChanged:
            if dtls?.state == .idle, dtlsRole == .client {
                dtls?.start(now: now)
                drainDTLS(now: now)
            }
        case .connectionStateChanged(let iceState):
            switch iceState {
            case .failed:
                fail(RTCError(.timeout, "ICE failed: no candidate pair works or consent expired"))
            case .disconnected where state == .connected:
                transition(to: .disconnected)
            case .connected where state == .disconnected, .completed where state == .disconnected:
                transition(to: .connected)
            default:
                break
            }
        case .gatheringComplete:
            break
        }
    }

    func drainDTLS(now: ContinuousClock.Instant) {
        guard let dtls else { return }
        while let output = dtls.pollOutput() {
            switch output {
            case .transmit(let bytes):
                if let path = ice.selectedPair { outputs.append(.transmit(bytes, from: path.local, to: path.remote)) }
            case .timeout(let instant):
                dtlsDeadline = instant
                return  // DTLS repeats its timeout until new input arrives
            case .event(.connected(let keyingMaterial)):
                startMedia(keyingMaterial, now: now)
            case .event(.applicationData(let packet)):
                receiveSCTP(packet, now: now)
            case .event(.closed):
                transition(to: .closed)
            case .event(.failed(let error)):
                fail(error)
            }
        }
    }

    private func drainRTCP(now: ContinuousClock.Instant) {
        guard rtcp != nil else { return }
        while true {
            switch rtcp!.pollOutput() {
            case .transmit(let compound):
                guard let srtp, let path = ice.selectedPair, let protected = try? srtp.protectRTCP(compound) else { continue }
                statistics.rtcpSent += 1
                outputs.append(.transmit(protected, from: path.local, to: path.remote))
            case .timeout(let instant):
                rtcpDeadline = instant
                return
            case .closed:
                rtcpDeadline = nil
                return
            }
        }
    }

    // MARK: State

    private func configureDTLS(role: DTLSRole, remoteFingerprint: DTLSFingerprint, now: ContinuousClock.Instant) throws(RTCError) {
        // The DTLS role is fixed by the first negotiation and kept across renegotiation (RFC 8842 §5).
        guard dtls == nil else { return }
        dtlsRole = role
        dtls = try DTLSTransport(role: role, certificate: certificate, remoteFingerprint: remoteFingerprint,
                                 srtpProfiles: configuration.srtpProfiles,
                                 initialRetransmitTimeout: configuration.dtlsRetransmitTimeout)
        if role == .client, ice.selectedPair != nil {
            dtls?.start(now: now)
            drainDTLS(now: now)
        }
    }

    private func configureMedia(_ media: [NegotiatedAudio], now: ContinuousClock.Instant) {
        var seen: Set<String> = []
        for line in media {
            seen.insert(line.mid)
            if line.weSend, sender == nil {
                sender = OpusRTPPacketizer(ssrc: localSSRC, payloadType: line.payloadType, mid: line.mid,
                                           extensionMap: line.extensionMap)
            }
            if line.remoteSends {
                if receivers[line.mid] == nil {
                    let track = RemoteTrack(mid: line.mid, ssrc: line.remoteSSRC, streamID: line.remoteStreamID,
                                            trackID: line.remoteTrackID)
                    receivers[line.mid] = RemoteAudioReceiver(track: track, jitter: JitterBuffer(configuration: configuration.jitter))
                    if let ssrc = line.remoteSSRC { ssrcToMid[ssrc] = line.mid }
                    outputs.append(.event(.trackAdded(track)))
                }
            } else if receivers.removeValue(forKey: line.mid) != nil {
                ssrcToMid = ssrcToMid.filter { $0.value != line.mid }
                outputs.append(.event(.trackRemoved(mid: line.mid)))
            }
        }
        for mid in receivers.keys where !seen.contains(mid) {
            receivers.removeValue(forKey: mid)
            outputs.append(.event(.trackRemoved(mid: mid)))
        }
        playoutOrder = receivers.keys.sorted()
    }

    private func startMedia(_ keyingMaterial: SRTPKeyingMaterial, now: ContinuousClock.Instant) {
        guard let dtlsRole else { return }
        do {
            srtp = try SRTPSession(keyingMaterial: keyingMaterial, role: dtlsRole)
        } catch {
            fail(error)
            return
        }
        statistics.srtpProfile = keyingMaterial.profile
        rtcp = RTCPScheduler(configuration: .init(localSSRC: localSSRC, cname: configuration.cname),
                             ntpReference: NTPTimestamp(unixSeconds: wallClock()), now: now)
        drainRTCP(now: now)
        if let startedAt { statistics.connectedAfter = now - startedAt }
        transition(to: .connected)
        startSCTPIfReady(now: now)
    }

    private func fail(_ error: RTCError) {
        guard state != .failed, state != .closed else { return }
        endData(reason: error.description)
        outputs.append(.event(.failure(error)))
        transition(to: .failed)
    }

    private func transition(to newState: State) {
        guard newState != state else { return }
        state = newState
        outputs.append(.event(.stateChanged(newState)))
    }
}

/// One remote audio m-line's receive side.
struct RemoteAudioReceiver {
    var track: PeerConnection.RemoteTrack
    var jitter: JitterBuffer
}

extension PeerConnection: ProtocolCore {
    public static var timeout: Input { .timeout }
}

@available(*, unavailable)
extension PeerConnection: Sendable {}
