import Audio
import Foundation
import LiveKitProtocol
import Logging
import Media
import RTC
import SansIO
import Synchronization

/// **This file owns a room's order of events.** One room session has one driver loop (`run()`):
/// every control input — a signalling frame, our own requests (attributes, leave), an event from
/// either peer connection, the end of the signalling connection — is queued on one `SessionInbox`
/// and handled to completion, in arrival order, before the next; between inputs the loop sleeps
/// until `SignalCore`'s next deadline (pings), never on a fixed period.
///
/// Why this shape (async control loop + the UDP loops for datagrams) rather than one thread for
/// everything: datagrams must stay on the allocation-free path, so they never enter this queue.
/// Each `PeerConnection` is driven by its own `UDPEventLoop` thread, which sleeps until the
/// connection's deadline and handles datagrams in order there; everything this loop does to a
/// connection (apply an offer, an answer, a candidate) is submitted to that same thread and awaited,
/// so for each connection signalling and datagrams are one ordered sequence, and for the room a
/// signalling input is fully applied before the next one is looked at. That is what lets a candidate
/// that arrives before its connection (or before its remote description) be queued here and applied
/// right after the description, as LiveKit's own Swift SDK does, instead of dropped.
///
/// Audio never enters the inbox: outgoing frames wait in the publisher's `DropOldestBuffer`, decoded
/// frames leave through a `DropOldestStream`; both count their drops (`stats`).
///
/// The data plane (`RoomDataCore`) lives in the same loop: the publisher connection opens `_reliable`
/// and `_lossy` from the join (LiveKit only reads what a client sends on its publisher channels);
/// messages arrive on those and on the channels the server opens on the subscriber connection, are
/// labelled by channel, and become room events with the sender's identity. Messages to send before
/// `_reliable`/`_lossy` are open wait in a bounded queue.
final class RoomSession: Sendable {
    enum Input: Sendable {
        /// One binary signalling frame (a `SignalResponse`).
        case frame(Data)
        case setAttributes([String: String])
        case leave
        /// An event of one of our peer connections (from its loop thread).
        case media(RoomConnection, PeerConnection.Event)
        /// The signalling connection ended (nil: closed cleanly).
        case signallingClosed(LiveKitError?)
        /// A data-plane request: send a packet, a stream operation, an RPC call or answer.
        case data(RoomDataCore.Input)
    }

    /// Data messages held until their channel opens; past this the oldest are dropped.
    static let pendingDataCapacity = 256

    static let microphoneTrackID = "steadfast-microphone"

    let inbox = SessionInbox<Input>()
    let events: AsyncStream<RoomEvent>
    /// Frames for the signalling connection; finished when the session is over (leave, server leave, stale).
    let outgoingFrames: AsyncStream<Data>
    let audio: DropOldestStream<RoomAudio>
    let outgoingAudio: DropOldestBuffer<AudioFrame>

    private let eventSink: AsyncStream<RoomEvent>.Continuation
    private let frameSink: AsyncStream<Data>.Continuation
    private let hosts: [String]
    private let logger: Logger
    /// The publisher's driver, for `audioQueued()` from the producer's task.
    private let publisher = Mutex<PeerConnectionDriver?>(nil)
    /// Subscribed tracks by mid, read by the subscriber's loop thread to label decoded audio.
    private let tracks = Mutex<[String: RemoteAudioTrack]>([:])
    /// Calls to our registered RPC methods, for the client's handlers; finished with the session.
    let invocations: AsyncStream<RpcInvocation>
    private let invocationSink: AsyncStream<RpcInvocation>.Continuation
    /// Our RPC calls waiting for their result, by request id.
    let calls = Mutex<[String: CheckedContinuation<Result<String, RpcError>, Never>]>([:])

    /// - Parameters:
    ///   - audioInCapacity: decoded 20 ms frames held for a slow consumer (default 2 s).
    ///   - audioOutCapacity: 20 ms frames held for publishing (default 10 s; producers pace in real time).
    init(hosts: [String], logger: Logger, audioInCapacity: Int = 100, audioOutCapacity: Int = 500) {
        self.hosts = hosts
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream()
        (outgoingFrames, frameSink) = AsyncStream.makeStream()
        (invocations, invocationSink) = AsyncStream.makeStream()
        audio = DropOldestStream(capacity: audioInCapacity)
        outgoingAudio = DropOldestBuffer(capacity: audioOutCapacity)
    }

    /// Queues audio to publish (any length; sent in 20 ms frames, oldest dropped past capacity).
    func publish(_ frame: AudioFrame) {
        for chunk in frame.chunked(milliseconds: 20) { outgoingAudio.append(chunk) }
        publisher.withLock { $0 }?.audioQueued()
    }

    var stats: RoomStats {
        RoomStats(audioInDropped: audio.droppedCount, audioOutDropped: outgoingAudio.droppedCount,
                  audioOutQueued: outgoingAudio.count)
    }

    /// Decoded audio from the subscriber's loop thread: labelled with its track, then bounded.
    func deliverAudio(mid: String, _ frame: AudioFrame) {
        let track = tracks.withLock { $0[mid] } ?? RemoteAudioTrack(mid: mid, trackSID: nil, participant: nil)
        audio.yield(RoomAudio(track: track, frame: frame))
    }

    /// The driver loop: runs until the signalling connection ends or the task is cancelled, then
    /// closes both connections and finishes every stream.
    func run() async {
        let state = State(session: self)
        var closedBy: LiveKitError??
        loop: while true {
            let deadline = [state.core.nextDeadline, state.data.nextDeadline].compactMap { $0 }.min()
            let wake = await inbox.next(deadline: deadline)
            let now = ContinuousClock.now
            switch wake {
            case .finished:
                break loop
            case .deadline:
                state.core.handle(SignalCore.timeout, now: now)
                state.data.handle(RoomDataCore.timeout, now: now)
            case .input(.signallingClosed(let error)):
                closedBy = .some(error)
                break loop
            case .input(let input):
                await state.handle(input, now: now)
            }
            await state.drainSignalling()
            state.drainData()
        }
        state.closeMedia()
        let reason: RoomDisconnectReason
        if let recorded = state.disconnectReason {
            reason = recorded
        } else if case .some(.some(let error)) = closedBy {
            reason = .connectionFailed(error)
        } else if closedBy != nil {
            reason = .signallingClosed
        } else {
            reason = .left
        }
        emit(.disconnected(reason))
        frameSink.finish()
        eventSink.finish()
        invocationSink.finish()
        audio.finish()
        inbox.finish()
        // Calls still waiting will get no answer now.
        for call in calls.withLock({ calls in defer { calls = [:] }; return Array(calls.values) }) {
            call.resume(returning: .failure(.recipientDisconnected))
        }
    }

    fileprivate func emit(_ event: RoomEvent) { eventSink.yield(event) }
    fileprivate func send(_ frame: Data) { frameSink.yield(frame) }
    fileprivate func endSignalling() { frameSink.finish() }

    // MARK: The loop's state

    /// Everything the loop mutates; it lives in `run()` and is touched by nothing else.
    private final class State {
        let session: RoomSession
        var core = SignalCore()
        var publisher: PeerConnectionDriver?
        var subscriber: PeerConnectionDriver?
        /// Connections whose remote description is applied: candidates for the others wait.
        var described: Set<RoomConnection> = []
        var pendingCandidates: [RoomConnection: [String]] = [:]
        /// Track sids by subscriber mid, from the server's offers.
        var trackSIDs: [String: String] = [:]
        /// Subscribed tracks whose owner is not known yet, by mid.
        var unowned: [String: RemoteAudioTrack] = [:]
        var participants: [String: RoomParticipant] = [:]
        var disconnectReason: RoomDisconnectReason?
        var data = RoomDataCore()
        /// Our data channels and the server's, by connection: which kind each carries.
        var channelKinds: [RoomConnection: [PeerConnection.DataChannelID: DataKind]] = [:]
        /// The publisher's channels, by kind; a kind is in `openKinds` once it can send.
        var publisherChannels: [DataKind: PeerConnection.DataChannelID] = [:]
        var openKinds: Set<DataKind> = []
        var pendingData: [(Data, DataKind)] = []
        var pendingDataDropped = 0

        init(session: RoomSession) { self.session = session }

        var logger: Logger { session.logger }

        func handle(_ input: Input, now: ContinuousClock.Instant) async {
            switch input {
            case .frame(let frame): core.handle(.frame(frame), now: now)
            case .setAttributes(let attributes): core.handle(.updateAttributes(attributes), now: now)
            case .leave:
                core.handle(.leave, now: now)
                if disconnectReason == nil { disconnectReason = .left }
                drainSends()
                session.endSignalling()
            case .media(let connection, let event): handle(event, on: connection, now: now)
            case .signallingClosed: break  // handled by the loop
            case .data(let request): data.handle(request, now: now)
            }
        }

        /// Carries out what the data plane produced: messages onto channels, events to the room.
        func drainData() {
            while let output = data.pollOutput() {
                switch output {
                case .send(let bytes, let kind): sendData(bytes, kind: kind)
                case .event(.rpcInvocation(let invocation)): session.invocationSink.yield(invocation)
                case .event(.rpcResult(let id, let result)):
                    session.calls.withLock { $0.removeValue(forKey: id) }?.resume(returning: result)
                case .event(.dropped(let message)):
                    logger.warning("Data plane: \(message)")
                    session.emit(.data(.dropped(message)))
                case .event(let event): session.emit(.data(event))
                }
            }
        }

        private func sendData(_ bytes: Data, kind: DataKind) {
            guard openKinds.contains(kind), let publisher, let channel = publisherChannels[kind] else {
                if pendingData.count >= RoomSession.pendingDataCapacity {
                    pendingData.removeFirst()
                    pendingDataDropped += 1
                }
                pendingData.append((bytes, kind))
                return
            }
            publisher.sendData(.binary([UInt8](bytes)), on: channel)
        }

        /// A publisher channel opened: what waited for it goes out, in order.
        private func flushPendingData() {
            let waiting = pendingData
            pendingData = []
            for (bytes, kind) in waiting { sendData(bytes, kind: kind) }
        }

        /// Carries out everything signalling produced, in order (events may feed it more).
        func drainSignalling() async {
            while let output = core.pollOutput() {
                switch output {
                case .send(let frame): session.send(frame)
                case .event(let event): await handle(event)
                }
            }
        }

        /// Sends the frames already queued (the leave request) before signalling ends.
        private func drainSends() {
            var events: [SignalEvent] = []
            while let output = core.pollOutput() {
                switch output {
                case .send(let frame): session.send(frame)
                case .event(let event): events.append(event)
                }
            }
            if !events.isEmpty { logger.debug("\(events.count) signalling events after leave ignored") }
        }

        // MARK: Signalling events

        private func handle(_ event: SignalEvent) async {
            switch event {
            case .joined(let room, let participant, _, _, _):
                logger.info("Joined the room", metadata: ["room.name": "\(room)", "participant.sid": "\(participant)"])
                startPublishing()
                session.emit(.joined(room: room, participantSID: participant))
            case .trackPublished(let cid, let sid):
                guard cid == RoomSession.microphoneTrackID else { return }
                session.emit(.trackPublished(sid: sid))
                // The server expects the offer once it has accepted the track (LiveKit matches it by msid).
                await offerPublisher()
            case .remoteAnswer(let sdp, _):
                guard let publisher else { return }
                do {
                    try await publisher.withConnection { try $0.setRemoteDescription(sdp, type: .answer, now: .now) }
                    await remoteDescriptionApplied(.publisher)
                } catch {
                    session.emit(.error(.media(.publisher, Self.rtcError(error, "the server's answer was refused"))))
                }
            case .remoteOffer(let sdp, let id, let tracks):
                await answerSubscriber(sdp: sdp, id: id, tracks: tracks)
            case .remoteCandidate(let candidate, _, let target, let final):
                let connection: RoomConnection = target == .publisher ? .publisher : .subscriber
                let attribute = final && candidate.isEmpty ? "" : candidate
                if described.contains(connection), let driver = peer(connection) {
                    await apply(attribute, to: driver, connection)
                } else {
                    // Early: before the connection or its remote description exists. Applied after it.
                    pendingCandidates[connection, default: []].append(attribute)
                }
            case .participantJoined(let info), .participantUpdated(let info):
                let participant = RoomParticipant(info)
                let isNew = participants[info.sid] == nil
                participants[info.sid] = participant
                if isNew { session.emit(.participantJoined(participant)) }
                resolveOwners()
            case .participantLeft(let sid):
                if let participant = participants.removeValue(forKey: sid) {
                    data.handle(.participantLeft(identity: participant.identity), now: .now)
                    session.emit(.participantLeft(participant))
                }
            case .serverLeave(let reason, _):
                disconnectReason = disconnectReason ?? .serverLeave(reason)
                session.endSignalling()
            case .stale(let reason):
                disconnectReason = disconnectReason ?? .signallingStale(reason)
                session.endSignalling()
            case .requestRefused(let message):
                session.emit(.error(.requestRefused(message)))
            case .protocolError(let message):
                logger.warning("Ignored a signalling frame: \(message)")
            }
        }

        // MARK: Peer connection events

        private func handle(_ event: PeerConnection.Event, on connection: RoomConnection, now: ContinuousClock.Instant) {
            switch event {
            case .dataChannelOpened(let channel):
                guard let kind = DataKind(label: channel.label) else {
                    logger.debug("Ignoring data channel '\(channel.label)' on the \(connection.rawValue) connection")
                    return
                }
                channelKinds[connection, default: [:]][channel.id] = kind
                session.emit(.dataChannelOpened(connection, label: channel.label))
                if connection == .publisher, publisherChannels[kind] == channel.id {
                    openKinds.insert(kind)
                    flushPendingData()
                }
            case .dataChannelMessage(let id, let message):
                guard let kind = channelKinds[connection]?[id] else { return }
                switch message {
                case .binary(let bytes): data.handle(.received(Data(bytes), kind: kind), now: now)
                case .text(let text): data.handle(.received(Data(text.utf8), kind: kind), now: now)
                }
            case .dataChannelClosed(let id):
                if connection == .publisher, let kind = channelKinds[connection]?[id] { openKinds.remove(kind) }
                channelKinds[connection]?[id] = nil
            case .dataChannelError(_, let message):
                logger.warning("Data channel on the \(connection.rawValue) connection: \(message)")
            case .dataChannelBufferedAmountLow:
                break
            case .stateChanged(let state):
                session.emit(.connectionState(connection, state))
            case .trackAdded(let added) where connection == .subscriber:
                let sid = trackSIDs[added.mid] ?? added.trackID
                let track = RemoteAudioTrack(mid: added.mid, trackSID: sid,
                                             participant: owner(trackSID: sid, streamID: added.streamID))
                if track.participant == nil { unowned[added.mid] = track }
                session.tracks.withLock { $0[added.mid] = track }
                session.emit(.trackSubscribed(track))
            case .trackRemoved(let mid) where connection == .subscriber:
                unowned[mid] = nil
                session.tracks.withLock { $0[mid] = nil }
                session.emit(.trackUnsubscribed(mid: mid))
            case .failure(let error):
                session.emit(.error(.media(connection, error)))
            case .trackAdded, .trackRemoved, .localCandidate, .audio:
                break
            }
        }

        /// Who publishes a track: the participant listing its sid, else the msid's "PA_…|TR_…" stream id.
        private func owner(trackSID: String?, streamID: String?) -> RoomParticipant? {
            if let trackSID, let info = core.participants.values.first(where: { info in info.tracks.contains { $0.sid == trackSID } }) {
                return participants[info.sid] ?? RoomParticipant(info)
            }
            if let streamID, let sid = streamID.split(separator: "|").first.map(String.init) { return participants[sid] }
            return nil
        }

        /// Announces tracks again once a participant update names their owner.
        private func resolveOwners() {
            for (mid, track) in unowned {
                guard let participant = owner(trackSID: track.trackSID, streamID: nil) else { continue }
                var owned = track
                owned.participant = participant
                unowned[mid] = nil
                session.tracks.withLock { $0[mid] = owned }
                session.emit(.trackSubscribed(owned))
            }
        }

        // MARK: Media

        private func peer(_ connection: RoomConnection) -> PeerConnectionDriver? {
            connection == .publisher ? publisher : subscriber
        }

        private func startPublishing() {
            do {
                let driver = try makeDriver(.publisher)
                driver.connection.addSendTrack(streamID: "steadfast", trackID: RoomSession.microphoneTrackID)
                // LiveKit's two channels, as every SDK opens them at the join (in-band DCEP).
                for (kind, options) in [(DataKind.reliable, DataChannelOptions(label: DataKind.reliable.label)),
                                        (.lossy, DataChannelOptions(label: DataKind.lossy.label, ordered: false, maxRetransmits: 0))] {
                    publisherChannels[kind] = try driver.connection.createDataChannel(options, now: .now)
                }
                try driver.start()
                publisher = driver
                session.publisher.withLock { $0 = driver }
                core.handle(.publishAudio(cid: RoomSession.microphoneTrackID, name: "microphone"), now: .now)
            } catch {
                session.emit(.error(.media(.publisher, Self.rtcError(error, "cannot start the publisher connection"))))
            }
        }

        private func offerPublisher() async {
            guard let publisher else { return }
            do {
                let offer = try await publisher.withConnection { try $0.createOffer() }
                core.handle(.sendOffer(sdp: offer), now: .now)
            } catch {
                session.emit(.error(.media(.publisher, Self.rtcError(error, "cannot create the publisher offer"))))
            }
        }

        private func answerSubscriber(sdp: String, id: UInt32, tracks: [String: String]) async {
            trackSIDs.merge(tracks) { _, new in new }
            do {
                if subscriber == nil {
                    let driver = try makeDriver(.subscriber)
                    try driver.start()
                    subscriber = driver
                }
                guard let subscriber else { return }
                let answer = try await subscriber.withConnection { connection in
                    try connection.setRemoteDescription(sdp, type: .offer, now: .now)
                    return try connection.createAnswer()
                }
                core.handle(.sendAnswer(sdp: answer, offerID: id), now: .now)
                await remoteDescriptionApplied(.subscriber)
            } catch {
                session.emit(.error(.media(.subscriber, Self.rtcError(error, "cannot answer the subscriber offer"))))
            }
        }

        /// The remote description of `connection` is applied: the candidates that came early follow.
        private func remoteDescriptionApplied(_ connection: RoomConnection) async {
            described.insert(connection)
            guard let driver = peer(connection), let early = pendingCandidates.removeValue(forKey: connection) else { return }
            for attribute in early { await apply(attribute, to: driver, connection) }
        }

        private func apply(_ attribute: String, to driver: PeerConnectionDriver, _ connection: RoomConnection) async {
            do { try await driver.withConnection { try $0.addRemoteCandidate(attribute, now: .now) } } catch {
                logger.warning("Ignored a \(connection.rawValue) candidate: \(error)")
            }
        }

        private func makeDriver(_ connection: RoomConnection) throws -> PeerConnectionDriver {
            let session = self.session
            let inbox = session.inbox
            return try PeerConnectionDriver(
                hosts: session.hosts,
                // The subscriber sends no audio; its buffer only exists because every driver has one.
                outgoingAudio: connection == .publisher ? session.outgoingAudio : DropOldestBuffer(capacity: 1),
                logger: Logger(label: "steadfast.room.\(connection.rawValue)"),
                onEvent: { event in inbox.send(.media(connection, event)) },
                onAudio: { mid, frame in session.deliverAudio(mid: mid, frame) })
        }

        func closeMedia() {
            session.publisher.withLock { $0 = nil }
            publisher?.stop()
            subscriber?.stop()
            publisher = nil
            subscriber = nil
        }

        /// Errors from the media stack as `RTCError` (socket and codec failures keep their message).
        static func rtcError(_ error: any Error, _ context: String) -> RTCError {
            if let error = error as? RTCError { return RTCError(error.code, "\(context): \(error.message)") }
            return RTCError(.invalidState, "\(context): \(error)")
        }
    }
}
