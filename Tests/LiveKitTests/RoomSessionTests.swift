import Audio
import Foundation
import LiveKitProtocol
import Logging
import Media
import RTC
import SansIO
import Synchronization
import Testing
@testable import LiveKit

/// The room's one ordered driver (`RoomSession`) with the test as the LiveKit server: signalling
/// frames go straight into the session's inbox, and the "SFU" is a second `PeerConnectionDriver` on
/// loopback UDP.
@Suite("Room session", .serialized, .timeLimit(.minutes(2)))
struct RoomSessionTests {
    static func frame(_ message: Livekit_SignalResponse.OneOf_Message) throws -> Data {
        var response = Livekit_SignalResponse()
        response.message = message
        return try response.serializedData()
    }

    static func joinFrame() throws -> Data {
        var caller = Livekit_ParticipantInfo()
        caller.sid = "PA_caller"
        caller.identity = "caller"
        caller.state = .active
        caller.kind = .standard
        caller.version = 1
        var track = Livekit_TrackInfo()
        track.sid = "TR_caller"
        track.type = .audio
        caller.tracks = [track]
        var join = Livekit_JoinResponse()
        join.room.name = "demo"
        join.participant.sid = "PA_agent"
        join.participant.identity = "agent"
        join.otherParticipants = [caller]
        join.pingInterval = 5
        join.pingTimeout = 15
        return try frame(.join(join))
    }

    /// SDP without its candidates (and end-of-candidates), and the candidates it had.
    static func stripCandidates(_ sdp: String) -> (sdp: String, candidates: [String]) {
        var kept: [Substring] = []
        var candidates: [String] = []
        for line in sdp.split(separator: "\r\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("a=candidate:") {
                candidates.append(String(line.dropFirst(2)))
            } else if !line.hasPrefix("a=end-of-candidates") {
                kept.append(line)
            }
        }
        return (kept.joined(separator: "\r\n"), candidates)
    }

    /// Waits for the first element of `stream` that `match` accepts, or nil after `timeout`.
    static func first<Element: Sendable>(_ stream: AsyncStream<Element>, within timeout: Duration,
                                         where match: @escaping @Sendable (Element) -> Bool) async -> Element? {
        await withTaskGroup(of: Element?.self) { group in
            group.addTask {
                for await element in stream where match(element) { return element }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let result = await group.next() ?? nil
            group.cancelAll()
            return result
        }
    }

    /// The server trickles its subscriber candidate before it sends the subscriber offer (so before
    /// our subscriber connection exists). Neither SDP carries a candidate, so the connection can
    /// only come up if the session queued that early candidate and applied it after the offer.
    /// Then the SFU's audio arrives labelled with its owner, the caller.
    @Test func anEarlySubscriberCandidateIsQueuedAndApplied() async throws {
        let session = RoomSession(hosts: ["127.0.0.1"], logger: Logger(label: "test.room"))
        async let loop: Void = session.run()
        let states = Mutex<[String]>([])
        let sfu = try PeerConnectionDriver(hosts: ["127.0.0.1"], onEvent: { event in
            if case .stateChanged(let state) = event { states.withLock { $0.append(state.rawValue) } }
        })
        sfu.connection.addSendTrack(streamID: "PA_caller|TR_caller", trackID: "TR_caller")
        try sfu.start()
        defer { sfu.stop() }

        session.inbox.send(.frame(try Self.joinFrame()))
        let offer = Self.stripCandidates(try await sfu.withConnection { try $0.createOffer() })
        try #require(!offer.candidates.isEmpty)
        for candidate in offer.candidates {
            var trickle = Livekit_TrickleRequest()
            trickle.target = .subscriber
            trickle.candidateInit = SignalCore.candidateInit(candidate, mid: "0")
            session.inbox.send(.frame(try Self.frame(.trickle(trickle))))
        }
        var description = Livekit_SessionDescription()
        description.type = "offer"
        description.sdp = offer.sdp
        description.id = 1
        description.midToTrackID = ["0": "TR_caller"]
        session.inbox.send(.frame(try Self.frame(.offer(description))))

        // Our answer, without its candidates: the SFU cannot start the checks itself.
        let answerFrame = await Self.first(session.outgoingFrames, within: .seconds(20)) { frame in
            if case .answer = try? Livekit_SignalRequest(serializedBytes: frame).message { true } else { false }
        }
        let request = try Livekit_SignalRequest(serializedBytes: try #require(answerFrame, "no answer was sent"))
        guard case .answer(let answer) = request.message else { Issue.record("not an answer"); return }
        #expect(answer.id == 1)
        let answerSDP = Self.stripCandidates(answer.sdp).sdp
        try await sfu.withConnection { try $0.setRemoteDescription(answerSDP, type: .answer, now: .now) }

        let connected = await Self.first(session.events, within: .seconds(20)) { event in
            if case .connectionState(.subscriber, .connected) = event { true } else { false }
        }
        #expect(connected != nil, "the subscriber never connected: the early candidate was lost (SFU: \(states.withLock { $0 }))")

        sfu.enqueue(AudioFrame(samples: [Int16](repeating: 1_000, count: 48_000)))
        let heard = await Self.first(session.audio.stream, within: .seconds(20)) { _ in true }
        #expect(heard?.track.participant?.identity == "caller", "\(String(describing: heard?.track))")
        #expect(heard?.track.trackSID == "TR_caller")

        session.inbox.send(.leave)
        session.inbox.send(.signallingClosed(nil))  // what the WebSocket's end tells a running room
        await loop
    }

    /// A protocol-17 server puts its own `_reliable` channel in the subscriber offer and forwards
    /// the others' packets on it, stamped with their identity: the session answers the data section,
    /// the channel opens, and a packet and an RPC call from the caller reach the room with their sender.
    @Test func theServersSubscriberChannelDeliversPacketsWithTheirSender() async throws {
        let session = RoomSession(hosts: ["127.0.0.1"], logger: Logger(label: "test.room"))
        async let loop: Void = session.run()
        let (sfuEvents, sfuSink) = AsyncStream<PeerConnection.Event>.makeStream()
        let sfu = try PeerConnectionDriver(hosts: ["127.0.0.1"], onEvent: { sfuSink.yield($0) })
        sfu.connection.addSendTrack(streamID: "PA_caller|TR_caller", trackID: "TR_caller")
        let channel = try sfu.connection.createDataChannel(DataChannelOptions(label: "_reliable"), now: .now)
        try sfu.start()
        defer { sfu.stop() }

        session.inbox.send(.data(.registerMethod("agent.time")))
        session.inbox.send(.frame(try Self.joinFrame()))
        let offer = try await sfu.withConnection { try $0.createOffer() }
        #expect(offer.contains("m=application"), "the SFU's offer carries its data channel")
        var description = Livekit_SessionDescription()
        description.type = "offer"
        description.sdp = offer
        description.id = 1
        description.midToTrackID = ["0": "TR_caller"]
        session.inbox.send(.frame(try Self.frame(.offer(description))))
        let answerFrame = await Self.first(session.outgoingFrames, within: .seconds(20)) { frame in
            if case .answer = try? Livekit_SignalRequest(serializedBytes: frame).message { true } else { false }
        }
        guard case .answer(let answer)? = try Livekit_SignalRequest(serializedBytes: try #require(answerFrame)).message else {
            Issue.record("not an answer")
            return
        }
        #expect(answer.sdp.contains("m=application"), "the data section is accepted")
        try await sfu.withConnection { try $0.setRemoteDescription(answer.sdp, type: .answer, now: .now) }
        let opened = await Self.first(sfuEvents, within: .seconds(20)) { event in
            if case .dataChannelOpened(let open) = event { open.id == channel } else { false }
        }
        try #require(opened != nil, "the SFU's _reliable never opened")

        var packet = Livekit_DataPacket()
        packet.participantIdentity = "caller"
        packet.user.payload = Data("hello agent".utf8)
        packet.user.topic = "greetings"
        sfu.sendData(.binary([UInt8](try packet.serializedData())), on: channel)
        var call = Livekit_DataPacket()
        call.participantIdentity = "caller"
        call.rpcRequest.id = "R1"
        call.rpcRequest.method = "agent.time"
        call.rpcRequest.payload = "now?"
        call.rpcRequest.version = 1
        call.rpcRequest.responseTimeoutMs = 10_000
        sfu.sendData(.binary([UInt8](try call.serializedData())), on: channel)

        let received = await Self.first(session.events, within: .seconds(20)) { event in
            if case .data(.userPacket) = event { true } else { false }
        }
        guard case .data(.userPacket(let user))? = received else {
            Issue.record("no packet reached the room")
            return
        }
        #expect(user.senderIdentity == "caller" && user.topic == "greetings" && user.payload == Data("hello agent".utf8))
        #expect(user.kind == .reliable)
        let invocation = await Self.first(session.invocations, within: .seconds(20)) { _ in true }
        #expect(invocation?.callerIdentity == "caller" && invocation?.method == "agent.time" && invocation?.payload == "now?")

        session.inbox.send(.leave)
        session.inbox.send(.signallingClosed(nil))
        await loop
    }

    /// Nobody reads the room's audio: the buffer holds its capacity and counts every frame past it.
    @Test func aStalledAudioConsumerDoesNotGrowMemory() async throws {
        let session = RoomSession(hosts: ["127.0.0.1"], logger: Logger(label: "test.room"),
                                  audioInCapacity: 50, audioOutCapacity: 100)
        for index in 0..<1_000 {
            session.deliverAudio(mid: "0", AudioFrame(samples: [Int16](repeating: Int16(index), count: 960)))
        }
        #expect(session.stats.audioInDropped == 950)
        session.audio.finish()
        var kept: [Int16] = []
        for await audio in session.audio.stream { kept.append(audio.frame.samples[0]) }
        #expect(kept == (950..<1_000).map { Int16($0) }, "the newest 50 frames are kept, in order")

        // Publishing 1000 frames at once with no connection to send them: the oldest go.
        session.publish(AudioFrame(samples: [Int16](repeating: 7, count: 960 * 1_000)))
        #expect(session.stats.audioOutQueued == 100)
        #expect(session.stats.audioOutDropped == 900)
    }
}
