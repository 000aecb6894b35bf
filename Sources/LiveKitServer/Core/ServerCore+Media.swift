import Foundation
import LiveKitProtocol

extension ServerCore {
    /// The media plane's reports, turned into signalling: answers and offers to the client, a
    /// track's publication (ParticipantUpdate first, then the subscribers' offers, as the SDKs
    /// need: they wait only 5 s for a publication an offer refers to).
    mutating func mediaEvent(_ event: MediaEvent) {
        switch event {
        case .answer(let sid, let sdp):
            guard let participant = participant(sid) else { return }
            var answer = Livekit_SessionDescription()
            answer.type = "answer"
            answer.sdp = sdp
            answer.id = offerIDs[sid] ?? 0
            var message = Livekit_SignalResponse()
            message.answer = answer
            send(message, to: participant.connection)
        case .subscriberOffer(let sid, let sdp):
            guard let participant = participant(sid) else { return }
            subscriberOfferID &+= 1
            var offer = Livekit_SessionDescription()
            offer.type = "offer"
            offer.sdp = sdp
            offer.id = subscriberOfferID
            var message = Livekit_SignalResponse()
            message.offer = offer
            send(message, to: participant.connection)
        case .trackReceived(let sid, let trackID):
            trackReceived(sid, trackID: trackID)
        case .connected(let sid, let subscriber):
            guard !subscriber, let roomName = participantRooms[sid], var participant = participant(sid),
                  participant.info.state != .active else { return }
            participant.info.state = .active
            participant.touch()
            rooms[roomName]?.participants[sid] = participant
            broadcast([participant.info], in: roomName, except: sid)
        case .failed(let sid, let reason):
            outputs.append(.event(.protocolError("\(sid): \(reason)")))
        }
    }

    private func participant(_ sid: String) -> ServerParticipant? {
        participantRooms[sid].flatMap { rooms[$0]?.participants[sid] }
    }

    /// Media for an announced track arrived: it is published (matched by the msid track id, which
    /// the SDKs set to the AddTrack cid, else the oldest pending audio track) and auto-subscribed.
    private mutating func trackReceived(_ sid: String, trackID: String?) {
        guard let roomName = participantRooms[sid], var participant = participant(sid) else { return }
        let cid = trackID.flatMap { participant.pendingTracks[$0] != nil ? $0 : nil }
            ?? participant.pendingTracks.filter { $0.value.type == .audio }.keys.sorted().first
        guard let cid, let track = participant.pendingTracks.removeValue(forKey: cid) else {
            outputs.append(.event(.protocolError("\(roomName)/\(sid): media for a track it never announced")))
            return
        }
        participant.info.tracks.append(track)
        participant.info.isPublisher = true
        participant.touch()
        rooms[roomName]?.participants[sid] = participant
        let publishers = rooms[roomName]?.participants.values.filter { !$0.info.tracks.isEmpty }.count ?? 0
        rooms[roomName]?.info.numPublishers = UInt32(publishers)
        broadcast([participant.info], in: roomName, except: nil)
        guard track.type == .audio, let room = rooms[roomName] else { return }
        for other in room.orderedParticipants where other.info.sid != sid && other.grant.effectiveCanSubscribe && other.autoSubscribe {
            outputs.append(.media(.subscribe(subscriber: other.info.sid, publisher: sid, trackSid: track.sid)))
        }
    }

    /// A newcomer is subscribed to the audio already published in its room.
    mutating func subscribeToPublished(_ sid: String, in roomName: String) {
        guard let room = rooms[roomName], let newcomer = room.participants[sid],
              newcomer.grant.effectiveCanSubscribe, newcomer.autoSubscribe else { return }
        for publisher in room.orderedParticipants where publisher.info.sid != sid {
            for track in publisher.info.tracks where track.type == .audio {
                outputs.append(.media(.subscribe(subscriber: sid, publisher: publisher.info.sid, trackSid: track.sid)))
            }
        }
    }

    /// The `candidate` of a trickled RTCIceCandidateInit JSON (LiveKit's `candidateInit`), bounded.
    static func candidate(fromInit json: String) -> String? {
        guard json.utf8.count <= 4096,
              let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let candidate = object["candidate"] as? String else { return nil }
        return candidate
    }
}
