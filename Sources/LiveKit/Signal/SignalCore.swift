import Foundation
import LiveKitProtocol
import SansIO
import SwiftProtobuf

/// The `/rtc` signalling conversation of one participant, as a sans-IO state machine: the join,
/// offers and answers for the publisher and subscriber connections, trickled candidates, track
/// publication, the application-level ping, participant updates and leave.
///
/// The driver owns the WebSocket and the two `PeerConnection`s. It feeds binary frames and its
/// own requests (`publishAudio`, `sendOffer`, `sendAnswer`, `sendCandidate`, `leave`) to
/// `handle(_:now:)` and carries out `pollOutput()`: frames to send and events for the room. The
/// core never touches SDP itself; it moves it between the server and the peer connections.
public struct SignalCore: Sendable {
    public enum Input: Sendable {
        /// One binary frame (a `SignalResponse`).
        case frame(Data)
        /// Publish a microphone track: `cid` must be the track id in the publisher offer's msid.
        case publishAudio(cid: String, name: String)
        /// Our publisher offer, once `trackPublished` said the server expects it.
        case sendOffer(sdp: String)
        /// Our answer to the server's subscriber offer `id`.
        case sendAnswer(sdp: String, offerID: UInt32)
        /// A local candidate (`a=candidate` value, without the `a=`), or nil at the end of gathering.
        case sendCandidate(String?, mid: String, target: Livekit_SignalTarget)
        /// Set our participant attributes (merged by the server; needs canUpdateOwnMetadata), e.g.
        /// `lk.agent.state`, which LiveKit frontends show.
        case updateAttributes([String: String])
        /// Leave the room (the driver closes the socket after sending the frame).
        case leave
        case timeout
    }

    public enum Output: Sendable, Equatable {
        case send(Data)
        case event(SignalEvent)
    }

    public private(set) var state: SignalState = .joining
    /// The latest token the server handed out for reconnecting.
    public private(set) var refreshToken: String?
    /// Participants other than us, by sid, at their latest version.
    public private(set) var participants: [String: Livekit_ParticipantInfo] = [:]
    public private(set) var localParticipant: Livekit_ParticipantInfo?
    public var nextDeadline: ContinuousClock.Instant? { [nextPing, pongDeadline].compactMap { $0 }.min() }

    private var pingInterval: Duration = .seconds(5)
    private var pingTimeout: Duration = .seconds(15)
    private var nextPing: ContinuousClock.Instant?
    private var pongDeadline: ContinuousClock.Instant?
    private var lastPingSent: Int64?
    private var offerCounter: UInt32 = 0
    private var requestCounter: UInt32 = 0
    private var outputs: [Output] = []

    public init() {}

    public mutating func pollOutput() -> Output? {
        outputs.isEmpty ? nil : outputs.removeFirst()
    }

    public mutating func handle(_ input: Input, now: ContinuousClock.Instant) {
        switch input {
        case .frame(let data):
            receive(data, now: now)
        case .publishAudio(let cid, let name):
            var request = Livekit_AddTrackRequest()
            request.cid = cid
            request.name = name
            request.type = .audio
            request.source = .microphone
            // No RED: we send plain Opus (PT 111).
            request.disableRed = true
            send(.addTrack(request))
        case .sendOffer(let sdp):
            offerCounter += 1
            var offer = Livekit_SessionDescription()
            offer.type = "offer"
            offer.sdp = sdp
            offer.id = offerCounter
            send(.offer(offer))
        case .sendAnswer(let sdp, let offerID):
            var answer = Livekit_SessionDescription()
            answer.type = "answer"
            answer.sdp = sdp
            answer.id = offerID
            send(.answer(answer))
        case .sendCandidate(let candidate, let mid, let target):
            var trickle = Livekit_TrickleRequest()
            trickle.target = target
            if let candidate {
                trickle.candidateInit = Self.candidateInit(candidate, mid: mid)
            } else {
                trickle.candidateInit = Self.candidateInit("", mid: mid)
                trickle.final = true
            }
            send(.trickle(trickle))
        case .updateAttributes(let attributes):
            guard state == .joined else { return }
            requestCounter += 1
            var update = Livekit_UpdateParticipantMetadata()
            update.attributes = attributes
            update.requestID = requestCounter
            send(.updateMetadata(update))
        case .leave:
            guard state != .left else { return }
            var leave = Livekit_LeaveRequest()
            leave.reason = .clientInitiated
            leave.action = .disconnect
            send(.leave(leave))
            state = .left
            nextPing = nil
            pongDeadline = nil
        case .timeout:
            fireTimers(now: now)
        }
    }

    // MARK: Receiving

    private mutating func receive(_ data: Data, now: ContinuousClock.Instant) {
        let response: Livekit_SignalResponse
        do { response = try Livekit_SignalResponse(serializedBytes: data) } catch {
            outputs.append(.event(.protocolError("a signal frame of \(data.count) bytes is not a SignalResponse: \(error)")))
            return
        }
        switch response.message {
        case .join(let join):
            joined(join, now: now)
        case .offer(let offer):
            outputs.append(.event(.remoteOffer(sdp: offer.sdp, id: offer.id, midToTrackID: offer.midToTrackID)))
        case .answer(let answer):
            outputs.append(.event(.remoteAnswer(sdp: answer.sdp, id: answer.id)))
        case .trickle(let trickle):
            guard let candidate = Self.parseCandidateInit(trickle.candidateInit) else {
                outputs.append(.event(.protocolError("an unreadable trickled candidate")))
                return
            }
            outputs.append(.event(.remoteCandidate(candidate.candidate, mid: candidate.mid, target: trickle.target,
                                                    final: trickle.final)))
        case .trackPublished(let published):
            outputs.append(.event(.trackPublished(cid: published.cid, sid: published.track.sid)))
        case .update(let update):
            apply(update.participants)
        case .leave(let leave):
            state = .left
            nextPing = nil
            pongDeadline = nil
            outputs.append(.event(.serverLeave(reason: leave.reason, action: leave.action)))
        case .refreshToken(let token):
            refreshToken = token
        case .pongResp(let pong):
            if pong.lastPingTimestamp == lastPingSent { pongDeadline = nil }
        case .pong:
            pongDeadline = nil
        case .requestResponse(let response) where response.reason != .ok:
            outputs.append(.event(.requestRefused(response.message)))
        default:
            // Speaker, quality, stream-state and room updates: nothing an audio agent acts on.
            break
        }
    }

    private mutating func joined(_ join: Livekit_JoinResponse, now: ContinuousClock.Instant) {
        guard state == .joining else {
            outputs.append(.event(.protocolError("a second join response")))
            return
        }
        state = .joined
        localParticipant = join.participant
        if join.pingInterval > 0 { pingInterval = .seconds(Int64(join.pingInterval)) }
        if join.pingTimeout > 0 { pingTimeout = .seconds(Int64(join.pingTimeout)) }
        nextPing = now + pingInterval
        for participant in join.otherParticipants { participants[participant.sid] = participant }
        outputs.append(.event(.joined(room: join.room.name, participant: join.participant.sid,
                                      subscriberPrimary: join.subscriberPrimary,
                                      iceServers: join.iceServers.flatMap(\.urls),
                                      serverVersion: join.serverInfo.version)))
        for participant in join.otherParticipants { outputs.append(.event(.participantJoined(participant))) }
    }

    private mutating func apply(_ updates: [Livekit_ParticipantInfo]) {
        for participant in updates where participant.sid != localParticipant?.sid {
            let known = participants[participant.sid]
            // Versions only grow; an older update arriving late is stale.
            if let known, known.version > participant.version { continue }
            if participant.state == .disconnected {
                participants[participant.sid] = nil
                if known != nil { outputs.append(.event(.participantLeft(sid: participant.sid))) }
                continue
            }
            participants[participant.sid] = participant
            outputs.append(.event(known == nil ? .participantJoined(participant) : .participantUpdated(participant)))
        }
    }

    // MARK: Ping

    private mutating func fireTimers(now: ContinuousClock.Instant) {
        guard state == .joined else { return }
        if let deadline = pongDeadline, deadline <= now {
            pongDeadline = nil
            nextPing = nil
            state = .stale
            outputs.append(.event(.stale("no pong within \(pingTimeout)")))
            return
        }
        if let due = nextPing, due <= now {
            var ping = Livekit_Ping()
            ping.timestamp = Int64(Date().timeIntervalSince1970 * 1000)
            lastPingSent = ping.timestamp
            send(.pingReq(ping))
            nextPing = now + pingInterval
            if pongDeadline == nil { pongDeadline = now + pingTimeout }
        }
    }

    // MARK: Wire helpers

    private mutating func send(_ message: Livekit_SignalRequest.OneOf_Message) {
        var request = Livekit_SignalRequest()
        request.message = message
        outputs.append(.send((try? request.serializedData()) ?? Data()))
    }

    /// A candidate as LiveKit's `candidateInit`: the JSON of an RTCIceCandidateInit.
    static func candidateInit(_ candidate: String, mid: String) -> String {
        let value = candidate.isEmpty || candidate.hasPrefix("candidate:") ? candidate : "candidate:" + candidate
        let object: [String: Any] = ["candidate": value, "sdpMid": mid, "sdpMLineIndex": 0]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The candidate line (without `candidate:`... kept as sent) and mid from a `candidateInit`.
    static func parseCandidateInit(_ text: String) -> (candidate: String, mid: String?)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let candidate = object["candidate"] as? String else { return nil }
        return (candidate, object["sdpMid"] as? String)
    }
}

extension SignalCore: ProtocolCore {
    public static var timeout: Input { .timeout }
}

/// Where the signalling conversation stands.
public enum SignalState: Sendable, Equatable {
    case joining, joined
    /// No pong within the ping timeout: the driver should reconnect.
    case stale
    case left
}

/// What signalling tells the room.
public enum SignalEvent: Sendable, Equatable {
    case joined(room: String, participant: String, subscriberPrimary: Bool, iceServers: [String], serverVersion: String)
    /// The server's offer for the subscriber connection; answer with `.sendAnswer(offerID: id)`.
    case remoteOffer(sdp: String, id: UInt32, midToTrackID: [String: String])
    /// The server's answer to our publisher offer.
    case remoteAnswer(sdp: String, id: UInt32)
    case remoteCandidate(String, mid: String?, target: Livekit_SignalTarget, final: Bool)
    case trackPublished(cid: String, sid: String)
    case participantJoined(Livekit_ParticipantInfo)
    case participantUpdated(Livekit_ParticipantInfo)
    case participantLeft(sid: String)
    case serverLeave(reason: Livekit_DisconnectReason, action: Livekit_LeaveRequest.Action)
    case requestRefused(String)
    case stale(String)
    case protocolError(String)
}
