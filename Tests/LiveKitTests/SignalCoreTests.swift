import Foundation
import LiveKitProtocol
import SwiftProtobuf
import Testing
@testable import LiveKit

/// `/rtc` signalling on a virtual clock: the test plays the LiveKit server frame by frame.
@Suite("SignalCore")
struct SignalCoreTests {
    struct Harness {
        var core = SignalCore()
        var now = ContinuousClock.now
        var sent: [Livekit_SignalRequest] = []
        var events: [SignalEvent] = []

        mutating func handle(_ input: SignalCore.Input) {
            core.handle(input, now: now)
            while let output = core.pollOutput() {
                switch output {
                case .send(let data): sent.append(try! Livekit_SignalRequest(serializedBytes: data))
                case .event(let event): events.append(event)
                }
            }
        }

        mutating func server(_ message: Livekit_SignalResponse.OneOf_Message) {
            var response = Livekit_SignalResponse()
            response.message = message
            handle(.frame(try! response.serializedData()))
        }

        mutating func advance(_ duration: Duration) {
            let end = now + duration
            while let deadline = core.nextDeadline, deadline <= end {
                now = max(now, deadline)
                handle(.timeout)
            }
            now = end
        }

        static func participant(_ sid: String, identity: String, version: UInt32 = 1,
                                state: Livekit_ParticipantInfo.State = .active) -> Livekit_ParticipantInfo {
            var info = Livekit_ParticipantInfo()
            info.sid = sid
            info.identity = identity
            info.version = version
            info.state = state
            return info
        }

        mutating func join(others: [Livekit_ParticipantInfo] = []) {
            var join = Livekit_JoinResponse()
            join.room.name = "demo"
            join.participant = Self.participant("PA_self", identity: "agent")
            join.otherParticipants = others
            join.subscriberPrimary = true
            join.pingInterval = 5
            join.pingTimeout = 15
            var ice = Livekit_ICEServer()
            ice.urls = ["stun:stun.example.com:3478"]
            join.iceServers = [ice]
            join.serverInfo.version = "1.9.1"
            server(.join(join))
        }
    }

    @Test func theJoinIsReportedWithTheRoomAndWhoIsThere() {
        var harness = Harness()
        harness.join(others: [Harness.participant("PA_caller", identity: "caller")])
        #expect(harness.core.state == .joined)
        #expect(harness.events.first == .joined(room: "demo", participant: "PA_self", subscriberPrimary: true,
                                                iceServers: ["stun:stun.example.com:3478"], serverVersion: "1.9.1"))
        guard case .participantJoined(let caller)? = harness.events.last else {
            Issue.record("the caller was not reported: \(harness.events)")
            return
        }
        #expect(caller.identity == "caller")
        #expect(harness.core.participants.keys.sorted() == ["PA_caller"])
    }

    @Test func pingsEveryIntervalAndGoesStaleWithoutPongs() {
        var harness = Harness()
        harness.join()
        harness.advance(.milliseconds(4_900))
        #expect(harness.sent.isEmpty)
        harness.advance(.milliseconds(200))
        guard case .pingReq(let ping)? = harness.sent.last?.message else {
            Issue.record("no ping_req after the ping interval: \(harness.sent)")
            return
        }
        var pong = Livekit_Pong()
        pong.lastPingTimestamp = ping.timestamp
        harness.server(.pongResp(pong))
        harness.advance(.seconds(10))
        #expect(harness.core.state == .joined, "answered pings keep the session fresh")
        // From now on the server stays silent: stale 15 s after the first unanswered ping.
        harness.advance(.seconds(16))
        #expect(harness.core.state == .stale)
        #expect(harness.events.contains { if case .stale = $0 { true } else { false } })
    }

    @Test func theSubscriberOfferIsSurfacedAndAnsweredWithItsID() {
        var harness = Harness()
        harness.join()
        var offer = Livekit_SessionDescription()
        offer.type = "offer"
        offer.sdp = "v=0\r\n"
        offer.id = 7
        offer.midToTrackID = ["0": "TR_caller_mic"]
        harness.server(.offer(offer))
        #expect(harness.events.last == .remoteOffer(sdp: "v=0\r\n", id: 7, midToTrackID: ["0": "TR_caller_mic"]))
        harness.handle(.sendAnswer(sdp: "v=0 answer\r\n", offerID: 7))
        guard case .answer(let answer)? = harness.sent.last?.message else {
            Issue.record("no answer frame: \(harness.sent)")
            return
        }
        #expect(answer.type == "answer" && answer.id == 7 && answer.sdp == "v=0 answer\r\n")
    }

    @Test func publishingAnnouncesTheTrackThenOffers() {
        var harness = Harness()
        harness.join()
        harness.handle(.publishAudio(cid: "steadfast-mic", name: "microphone"))
        guard case .addTrack(let request)? = harness.sent.last?.message else {
            Issue.record("no add_track: \(harness.sent)")
            return
        }
        #expect(request.cid == "steadfast-mic" && request.type == .audio && request.source == .microphone)
        #expect(request.disableRed)
        var published = Livekit_TrackPublishedResponse()
        published.cid = "steadfast-mic"
        published.track.sid = "TR_AMsteadfast"
        harness.server(.trackPublished(published))
        #expect(harness.events.last == .trackPublished(cid: "steadfast-mic", sid: "TR_AMsteadfast"))
        harness.handle(.sendOffer(sdp: "v=0 offer\r\n"))
        harness.handle(.sendOffer(sdp: "v=0 second offer\r\n"))
        let offers = harness.sent.compactMap { if case .offer(let offer)? = $0.message { offer } else { nil } }
        #expect(offers.map(\.id) == [1, 2], "our offers are numbered")
        #expect(offers.allSatisfy { $0.type == "offer" })
        var answer = Livekit_SessionDescription()
        answer.type = "answer"
        answer.sdp = "v=0 server answer\r\n"
        answer.id = 2
        harness.server(.answer(answer))
        #expect(harness.events.last == .remoteAnswer(sdp: "v=0 server answer\r\n", id: 2))
    }

    @Test func candidatesTravelAsLiveKitCandidateInitJSON() throws {
        var harness = Harness()
        harness.join()
        harness.handle(.sendCandidate("1 1 udp 2130706431 192.0.2.7 50000 typ host", mid: "0", target: .publisher))
        harness.handle(.sendCandidate(nil, mid: "0", target: .publisher))
        let trickles = harness.sent.compactMap { if case .trickle(let trickle)? = $0.message { trickle } else { nil } }
        #expect(trickles.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(trickles[0].candidateInit.utf8)) as? [String: Any])
        #expect(first["candidate"] as? String == "candidate:1 1 udp 2130706431 192.0.2.7 50000 typ host")
        #expect(first["sdpMid"] as? String == "0")
        #expect(trickles[1].final)

        var trickle = Livekit_TrickleRequest()
        trickle.target = .subscriber
        trickle.candidateInit = #"{"candidate":"candidate:9 1 udp 2130706431 198.51.100.1 7882 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":null}"#
        harness.server(.trickle(trickle))
        #expect(harness.events.last == .remoteCandidate("candidate:9 1 udp 2130706431 198.51.100.1 7882 typ host",
                                                         mid: "0", target: .subscriber, final: false))
        trickle.candidateInit = "not json"
        harness.server(.trickle(trickle))
        #expect(harness.events.last.map { if case .protocolError = $0 { true } else { false } } == true)
    }

    @Test func participantUpdatesFollowVersionsAndDepartures() {
        var harness = Harness()
        harness.join(others: [Harness.participant("PA_caller", identity: "caller", version: 3)])
        var update = Livekit_ParticipantUpdate()
        update.participants = [Harness.participant("PA_caller", identity: "caller", version: 2)]
        harness.server(.update(update))
        #expect(harness.events.count == 2, "a stale version changes nothing")
        update.participants = [Harness.participant("PA_caller", identity: "caller", version: 4),
                               Harness.participant("PA_self", identity: "agent", version: 9),
                               Harness.participant("PA_other", identity: "other")]
        harness.server(.update(update))
        #expect(harness.events.suffix(2).map { event -> String in
            switch event {
            case .participantUpdated(let info): "updated \(info.identity)"
            case .participantJoined(let info): "joined \(info.identity)"
            default: "\(event)"
            }
        } == ["updated caller", "joined other"], "our own entry is not another participant")
        update.participants = [Harness.participant("PA_caller", identity: "caller", version: 5, state: .disconnected)]
        harness.server(.update(update))
        #expect(harness.events.last == .participantLeft(sid: "PA_caller"))
        #expect(harness.core.participants.keys.sorted() == ["PA_other"])
    }

    @Test func attributesAreSentAsMetadataUpdatesOnceJoined() {
        var harness = Harness()
        harness.handle(.updateAttributes(["lk.agent.state": "initializing"]))
        #expect(harness.sent.isEmpty, "nothing before the join")
        harness.join()
        harness.handle(.updateAttributes(["lk.agent.state": "listening"]))
        harness.handle(.updateAttributes(["lk.agent.state": "thinking"]))
        let updates = harness.sent.compactMap { if case .updateMetadata(let update)? = $0.message { update } else { nil } }
        #expect(updates.map { $0.attributes["lk.agent.state"] } == ["listening", "thinking"])
        #expect(updates.map(\.requestID) == [1, 2])
    }

    @Test func leavingEitherWay() {
        var harness = Harness()
        harness.join()
        harness.server(.refreshToken("new-jwt"))
        #expect(harness.core.refreshToken == "new-jwt")
        harness.handle(.leave)
        guard case .leave(let leave)? = harness.sent.last?.message else {
            Issue.record("no leave frame")
            return
        }
        #expect(leave.reason == .clientInitiated && leave.action == .disconnect)
        #expect(harness.core.state == .left)
        #expect(harness.core.nextDeadline == nil, "no pings after leaving")

        var other = Harness()
        other.join()
        var serverLeave = Livekit_LeaveRequest()
        serverLeave.reason = .roomDeleted
        serverLeave.action = .disconnect
        other.server(.leave(serverLeave))
        #expect(other.events.last == .serverLeave(reason: .roomDeleted, action: .disconnect))
        #expect(other.core.state == .left)
    }

    @Test func garbageAndASecondJoinAreReportedNotFatal() {
        var harness = Harness()
        harness.handle(.frame(Data([0x0A, 0xFF, 0xFF])))
        #expect(harness.events.last.map { if case .protocolError = $0 { true } else { false } } == true)
        harness.join()
        harness.join()
        #expect(harness.events.last.map { if case .protocolError = $0 { true } else { false } } == true)
        #expect(harness.core.state == .joined)
    }
}
