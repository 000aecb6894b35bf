import AgentWorker
import Audio
import LiveKit
import Testing

/// Which participant's audio the agent listens to when a room has several audio tracks.
@Suite("Caller selector")
struct CallerSelectorTests {
    static let alice = RoomParticipant(identity: "alice", sid: "PA_alice", kind: .standard)
    static let bob = RoomParticipant(identity: "bob", sid: "PA_bob", kind: .standard)
    static let phone = RoomParticipant(identity: "sip_+4930", sid: "PA_phone", kind: .sip)
    static let otherAgent = RoomParticipant(identity: "agent-2", sid: "PA_agent2", kind: .agent)

    static func track(_ mid: String, _ participant: RoomParticipant?) -> RemoteAudioTrack {
        RemoteAudioTrack(mid: mid, trackSID: "TR_\(mid)", participant: participant)
    }

    static func audio(_ mid: String) -> RoomAudio {
        RoomAudio(track: track(mid, nil), frame: AudioFrame(samples: [0]))
    }

    @Test func theFirstPersonWhoPublishesAudioIsTheCaller() {
        var selector = CallerSelector()
        let changed1 = selector.handle(.trackSubscribed(Self.track("0", Self.alice)))
        #expect(changed1)
        let changed2 = selector.handle(.trackSubscribed(Self.track("1", Self.bob)))
        #expect(!changed2, "a second person does not take over")
        #expect(selector.current?.participant == Self.alice)
        #expect(selector.isCaller(Self.audio("0")))
        #expect(!selector.isCaller(Self.audio("1")))
    }

    @Test func anotherAgentsTrackIsNeverListenedTo() {
        var selector = CallerSelector()
        let changed3 = selector.handle(.trackSubscribed(Self.track("0", Self.otherAgent)))
        #expect(!changed3)
        #expect(selector.current == nil)
        #expect(!selector.isCaller(Self.audio("0")))
        let changed4 = selector.handle(.trackSubscribed(Self.track("1", Self.phone)))
        #expect(changed4, "a SIP caller is a person")
        #expect(selector.current?.participant == Self.phone)
    }

    @Test func theDispatchedParticipantIsTheCallerEvenWhenSomeoneElseCameFirst() {
        var selector = CallerSelector(requestedIdentity: "bob")
        let changed5 = selector.handle(.trackSubscribed(Self.track("0", Self.alice)))
        #expect(!changed5)
        #expect(selector.current == nil, "alice is not the participant the job was dispatched for")
        let changed6 = selector.handle(.trackSubscribed(Self.track("1", Self.bob)))
        #expect(changed6)
        #expect(selector.current?.participant == Self.bob)
        let changed7 = selector.handle(.participantLeft(Self.bob))
        #expect(changed7)
        #expect(selector.current == nil, "with a named participant, nobody else takes over")
    }

    @Test func whenTheCallerLeavesTheNextPersonTakesOver() {
        var selector = CallerSelector()
        selector.handle(.trackSubscribed(Self.track("0", Self.alice)))
        selector.handle(.trackSubscribed(Self.track("1", Self.otherAgent)))
        selector.handle(.trackSubscribed(Self.track("2", Self.bob)))
        let changed8 = selector.handle(.participantLeft(Self.alice))
        #expect(changed8)
        #expect(selector.current?.participant == Self.bob, "the agent is skipped")
        let changed9 = selector.handle(.trackUnsubscribed(mid: "2"))
        #expect(changed9)
        #expect(selector.current == nil)
        #expect(!selector.isCaller(Self.audio("1")))
    }

    @Test func aTrackWhoseOwnerIsUnknownWaitsForTheOwner() {
        var selector = CallerSelector()
        let changed10 = selector.handle(.trackSubscribed(Self.track("0", nil)))
        #expect(!changed10)
        #expect(selector.current == nil)
        let changed11 = selector.handle(.trackSubscribed(Self.track("0", Self.alice)))
        #expect(changed11, "announced again once its owner is known")
        #expect(selector.current?.participant == Self.alice)
    }

    @Test func otherEventsChangeNothing() {
        var selector = CallerSelector()
        selector.handle(.trackSubscribed(Self.track("0", Self.alice)))
        let changed12 = selector.handle(.participantJoined(Self.bob))
        #expect(!changed12)
        let changed13 = selector.handle(.participantLeft(Self.bob))
        #expect(!changed13)
        let changed14 = selector.handle(.connectionState(.subscriber, .connected))
        #expect(!changed14)
        #expect(selector.current?.participant == Self.alice)
        let changed15 = selector.handle(.disconnected(.left))
        #expect(changed15)
        #expect(selector.current == nil)
    }
}
