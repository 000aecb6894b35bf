import Testing

@testable import RTC

@Suite("JSEP offer/answer")
struct JSEPSessionTests {
    static func session(_ name: String, transportCC: Bool = false) -> JSEPSession {
        JSEPSession(configuration: .init(
            iceUsernameFragment: "uf\(name)", icePassword: "password-\(name)-0123456789abcdef",
            fingerprints: [SDPFingerprint(algorithm: "sha-256", value: name == "A" ? "AA:01" : "BB:02")],
            candidates: ["candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host"], endOfCandidates: true,
            cname: "cname-\(name)", sessionID: name == "A" ? "111" : "222", enableTransportCC: transportCC))
    }

    static let trackA = AudioSendTrack(streamID: "stream-a", trackID: "TR_a", ssrc: 1111)
    static let trackB = AudioSendTrack(streamID: "stream-b", trackID: "TR_b", ssrc: 2222)

    /// Serializes and parses again, as the text crosses the signalling channel.
    static func wire(_ description: SessionDescription) throws -> SessionDescription {
        try SessionDescription(parsing: description.serialized())
    }

    @Test func offerAnswerBetweenTwoOwnSessions() throws {
        var alice = Self.session("A")
        var bob = Self.session("B")
        let aliceTransceiver = alice.addTransceiver(sending: Self.trackA)
        bob.addTransceiver(sending: Self.trackB)

        let offer = try Self.wire(alice.createOffer())
        #expect(offer.bundleGroup?.mids == ["0"])
        let audio = try #require(offer.media.first)
        #expect(audio.proto == "UDP/TLS/RTP/SAVPF" && audio.formats == ["111"])
        #expect(audio.rtpMap(payloadType: 111) == RTPMap(payloadType: 111, encodingName: "opus", clockRate: 48000, channels: 2))
        #expect(audio.formatParameters(payloadType: 111)?.parameters == "minptime=10;useinbandfec=1")
        #expect(audio.setup == .actpass && audio.rtcpMux && audio.direction == .sendrecv)
        #expect(audio.iceOptions == ["trickle"])
        #expect(Set(audio.extensionMaps.map(\.uri)) == [
            RTPHeaderExtensionURI.mid, RTPHeaderExtensionURI.audioLevel, RTPHeaderExtensionURI.absoluteCaptureTime,
        ])
        #expect(audio.msids == [MediaStreamID(streamID: "stream-a", trackID: "TR_a")])
        #expect(audio.cname(ssrc: 1111) == "cname-A")
        #expect(audio.candidates == ["1 1 udp 2130706431 127.0.0.1 5000 typ host"])
        #expect(alice.mid(of: aliceTransceiver) == "0")

        let answer = try bob.createAnswer(to: offer)
        let answerText = try Self.wire(answer.description)
        #expect(answerText.media[0].setup == .active)
        #expect(answer.session.dtlsRole == .client && !answer.session.isICEControlling)
        #expect(answer.session.remoteICEUsernameFragment == "ufA")
        #expect(answer.session.remoteFingerprint == SDPFingerprint(algorithm: "sha-256", value: "AA:01"))
        #expect(answer.session.media[0].remoteSSRCs == [1111])
        #expect(answer.session.media[0].remoteMSID == MediaStreamID(streamID: "stream-a", trackID: "TR_a"))
        #expect(answer.session.media[0].direction == .sendrecv)

        let negotiated = try alice.applyRemoteAnswer(answerText)
        #expect(negotiated.dtlsRole == .server && negotiated.isICEControlling)
        #expect(alice.dtlsRole == .server && bob.dtlsRole == .client)
        #expect(negotiated.bundleMids == ["0"])
        #expect(negotiated.media[0].opusPayloadType == 111)
        #expect(negotiated.media[0].remoteSSRCs == [2222])
        #expect(negotiated.media[0].extensionIDs == answer.session.media[0].extensionIDs)
        #expect(negotiated.media[0].extensionIDs.count == 3)
        #expect(negotiated.remoteCandidates == ["1 1 udp 2130706431 127.0.0.1 5000 typ host"])
        #expect(negotiated.remoteEndOfCandidates)
    }

    @Test func answersPionLiteOfferAsControllingDTLSClient() throws {
        var bob = Self.session("B")
        bob.addTransceiver(sending: Self.trackB)
        let answer = try bob.createAnswer(to: SessionDescription(parsing: SDPFixtures.pionLiteOffer))
        let session = answer.session
        #expect(session.remoteICELite && session.isICEControlling, "a lite offerer makes the answerer control")
        #expect(session.remoteICEUsernameFragment == "XyoMDRaRMWDgjGYr")
        #expect(session.remoteFingerprint?.value.hasPrefix("E2:E8") == true, "session-level fingerprint applies")
        #expect(session.remoteCandidates.count == 2)
        #expect(session.dtlsRole == .client)
        #expect(session.media.map(\.rejected) == [false, false], "the data section is accepted (RFC 8841)")
        #expect(session.media[1].kind == .application && session.media[1].remoteSCTPPort == 5000)
        #expect(session.media[0].direction == .sendonly, "pion is recvonly, so we only send")
        #expect(session.media[0].opusPayloadType == 111)

        let text = try Self.wire(answer.description)
        #expect(text.bundleGroup?.mids == ["0", "1"], "the data section joins BUNDLE")
        #expect(text.media[0].setup == .active && text.media[0].direction == .sendonly)
        #expect(text.media[1].kind == .application && text.media[1].port == 9 && text.media[1].mid == "1")
        #expect(text.media[1].formats == ["webrtc-datachannel"] && text.media[1].proto == "UDP/DTLS/SCTP")
        #expect(text.media[1].setup == .active && text.media[1].sctpPort == 5000 && text.media[1].maxMessageSize == 1_048_576)
    }

    @Test func answersLiveKitSubscriberOfferRejectingDataAndVideo() throws {
        var bob = Self.session("B")
        let answer = try bob.createAnswer(to: SessionDescription(parsing: SDPFixtures.liveKitSubscriberOffer))
        let text = try Self.wire(answer.description)
        #expect(text.media.map(\.mid) == ["0", "1", "2"])
        #expect(text.media.map(\.port) == [9, 9, 0], "LiveKit's _reliable/_lossy data section is accepted")
        #expect(text.media[0].kind == .application && text.media[0].sctpPort == 5000)
        #expect(text.media[2].kind == .video && text.media[2].formats == ["96", "97"])
        #expect(text.bundleGroup?.mids == ["0", "1"])
        #expect(text.media[1].formats == ["111"], "RED is not answered (livekit#943)")
        #expect(text.media[1].direction == .recvonly)
        #expect(text.media[1].extensionMaps == [ExtensionMap(id: 10, uri: RTPHeaderExtensionURI.absoluteCaptureTime)])
        let audio = answer.session.media[1]
        #expect(audio.extensionIDs == [RTPHeaderExtensionURI.absoluteCaptureTime: 10])
        #expect(audio.remoteSSRCs == [2834119741])
        #expect(audio.remoteMSID?.trackID == "TR_AMbQ7rT2vYpN")
        #expect(audio.remoteMSID?.streamID.split(separator: "|").first == "PA_kX9yF3qLhZ2w")
        #expect(answer.session.remoteICELite && answer.session.isICEControlling)
        #expect(answer.session.media.map(\.rejected) == [false, false, true])
    }

    @Test(arguments: [false, true])
    func answerExtmapIDsFollowTheOffer(transportCC: Bool) throws {
        var bob = Self.session("B", transportCC: transportCC)
        bob.addTransceiver(sending: Self.trackB)
        let answer = try bob.createAnswer(to: SessionDescription(parsing: SDPFixtures.chromeOffer))
        let audio = try Self.wire(answer.description).media[0]
        var expected = [
            ExtensionMap(id: 1, uri: RTPHeaderExtensionURI.audioLevel), ExtensionMap(id: 4, uri: RTPHeaderExtensionURI.mid),
        ]
        if transportCC { expected.insert(ExtensionMap(id: 3, uri: RTPHeaderExtensionURI.transportWideCC), at: 1) }
        #expect(audio.extensionMaps == expected, "abs-send-time is not ours; ids are Chrome's")
        #expect(audio.rtcpFeedback == (transportCC ? [RTCPFeedback(payloadType: 111, type: "transport-cc")] : []))
        #expect(audio.direction == .sendrecv)
        #expect(answer.session.media[1].rejected && answer.session.media[1].kind == .video)
        #expect(!answer.session.remoteICELite && !answer.session.isICEControlling)
    }

    @Test func answersAiortcOfferWithTwoAudioLines() throws {
        var bob = Self.session("B")
        bob.addTransceiver(sending: Self.trackB)
        let answer = try bob.createAnswer(to: SessionDescription(parsing: SDPFixtures.aiortcOffer))
        let session = answer.session
        #expect(session.media.map(\.opusPayloadType) == [96, 96, nil])
        #expect(session.media.map(\.direction) == [.sendrecv, .inactive, .inactive])
        #expect(session.bundleMids == ["0", "1", "2"])
        #expect(session.media[2].kind == .application && !session.media[2].rejected)
        #expect(session.remoteFingerprints.count == 3 && session.remoteFingerprint?.algorithm == "sha-256")
        #expect(session.remoteCandidates.count == 1, "only the bundle transport's candidates")
        #expect(session.media[0].transceiver != session.media[1].transceiver)
        #expect(try Self.wire(answer.description).media.map(\.formats) == [["96"], ["96"], ["webrtc-datachannel"]])
    }

    @Test func offerWithoutBundleAcceptsOnlyOneTransport() throws {
        var offer = try SessionDescription(parsing: SDPFixtures.aiortcOffer)
        offer.attributes.removeAll { $0.name == "group" }
        var bob = Self.session("B")
        let answer = try bob.createAnswer(to: offer)
        #expect(answer.session.media.map(\.rejected) == [false, true, true])
        #expect(answer.description.bundleGroup == nil)
    }

    @Test func reOffersKeepMidsOrderAndRecycleStoppedLines() throws {
        var alice = Self.session("A")
        var bob = Self.session("B")
        let first = alice.addTransceiver(sending: Self.trackA)
        _ = try alice.applyRemoteAnswer(bob.createAnswer(to: Self.wire(alice.createOffer())).description)
        let firstIDs = alice.extensionIDs

        let second = alice.addTransceiver(sending: nil)
        let reoffer = try Self.wire(alice.createOffer())
        #expect(reoffer.media.map(\.mid) == ["0", "1"])
        #expect(reoffer.media[1].direction == .recvonly)
        #expect(reoffer.media[0].setup == .actpass)
        #expect(alice.extensionIDs == firstIDs)
        _ = try alice.applyRemoteAnswer(bob.createAnswer(to: reoffer).description)

        try alice.stopTransceiver(second)
        let stopping = try Self.wire(alice.createOffer())
        #expect(stopping.media.map(\.port) == [9, 0])
        #expect(stopping.bundleGroup?.mids == ["0"])
        let stopped = try alice.applyRemoteAnswer(bob.createAnswer(to: stopping).description)
        #expect(stopped.media.map(\.rejected) == [false, true])

        let third = alice.addTransceiver(sending: Self.trackA)
        let recycled = try Self.wire(alice.createOffer())
        #expect(recycled.media.count == 2, "the rejected m-line is reused")
        #expect(recycled.media.map(\.mid) == ["0", "2"])
        let negotiated = try alice.applyRemoteAnswer(bob.createAnswer(to: recycled).description)
        #expect(negotiated.media.map(\.transceiver) == [first, third])
        #expect(negotiated.media.map(\.rejected) == [false, false])
        #expect(alice.dtlsRole == .server && bob.dtlsRole == .client)
    }

    @Test func remoteReOfferReusingAnMLineReportsTheNewTrack() throws {
        var bob = Self.session("B")
        let offer = try SessionDescription(parsing: SDPFixtures.liveKitSubscriberOffer)
        let first = try bob.createAnswer(to: offer)
        var reoffer = offer
        reoffer.origin.sessionVersion += 1
        reoffer.media[1].replaceAttributes(named: "msid", with: [SDPAttribute("msid", "PA_other|TR_new TR_new")])
        reoffer.media[1].replaceAttributes(named: "ssrc", with: [SDPAttribute("ssrc", "42 cname:other")])
        let second = try bob.createAnswer(to: reoffer)
        #expect(second.session.media[1].transceiver == first.session.media[1].transceiver)
        #expect(second.session.media[1].remoteMSID == MediaStreamID(streamID: "PA_other|TR_new", trackID: "TR_new"))
        #expect(second.session.media[1].remoteSSRCs == [42])

        // A send track added later rides the m-line the remote created (JSEP addTrack reuse).
        let reused = bob.addTransceiver(sending: Self.trackB)
        #expect(reused == first.session.media[1].transceiver)
        let ownOffer = try Self.wire(bob.createOffer())
        #expect(ownOffer.media.map(\.mid) == ["0", "1", "2"])
        #expect(ownOffer.media.map(\.port) == [9, 9, 0], "the accepted data section stays in our re-offer")
        #expect(ownOffer.media[1].direction == .sendrecv && ownOffer.media[1].msids.first?.trackID == "TR_b")
    }

    @Test func dtlsRoleFollowsOfferSetupAndNeverFlips() throws {
        func offer(setup: String) throws -> SessionDescription {
            var description = try SessionDescription(parsing: SDPFixtures.pionLiteOffer)
            description.media[0].replaceAttributes(named: "setup", with: [SDPAttribute("setup", setup)])
            return description
        }
        var passiveSide = Self.session("B")
        let asServer = try passiveSide.createAnswer(to: offer(setup: "active"))
        #expect(asServer.session.dtlsRole == .server && asServer.description.media[0].setup == .passive)
        #expect(throws: RTCError.self) { _ = try passiveSide.createAnswer(to: offer(setup: "passive")) }
        let kept = try passiveSide.createAnswer(to: offer(setup: "actpass"))
        #expect(kept.session.dtlsRole == .server && kept.description.media[0].setup == .passive)

        var activeSide = Self.session("B")
        #expect(try activeSide.createAnswer(to: offer(setup: "passive")).session.dtlsRole == .client)
        var holding = Self.session("B")
        #expect(throws: RTCError(.unsupported, "a=setup:holdconn is not supported")) {
            _ = try holding.createAnswer(to: offer(setup: "holdconn"))
        }
    }

    @Test func answerSetupDecidesOurRoleAsOfferer() throws {
        func answer(setup: String?) throws -> (JSEPSession, SessionDescription) {
            var alice = Self.session("A")
            var bob = Self.session("B")
            alice.addTransceiver(sending: Self.trackA)
            var description = try bob.createAnswer(to: Self.wire(alice.createOffer())).description
            description.media[0].replaceAttributes(named: "setup", with: setup.map { [SDPAttribute("setup", $0)] } ?? [])
            return (alice, description)
        }
        var (passive, passiveAnswer) = try answer(setup: "passive")
        #expect(try passive.applyRemoteAnswer(passiveAnswer).dtlsRole == .client)
        var (missing, missingAnswer) = try answer(setup: nil)
        #expect(try missing.applyRemoteAnswer(missingAnswer).dtlsRole == .server, "absent setup means active")
        var (actpass, actpassAnswer) = try answer(setup: "actpass")
        #expect(throws: RTCError.self) { _ = try actpass.applyRemoteAnswer(actpassAnswer) }

        // Once server, an answer to a re-offer may not make us client.
        var (alice, first) = try answer(setup: "active")
        _ = try alice.applyRemoteAnswer(first)
        var flipped = try Self.session("B").createAnswerCopy(to: Self.wire(alice.createOffer()))
        flipped.media[0].replaceAttributes(named: "setup", with: [SDPAttribute("setup", "passive")])
        #expect { _ = try alice.applyRemoteAnswer(flipped) } throws: { ($0 as? RTCError)?.code == .invalidState }
    }

    @Test func stateAndShapeErrors() throws {
        var alice = Self.session("A")
        #expect { _ = try alice.applyRemoteAnswer(SessionDescription(parsing: SDPFixtures.aiortcAnswer)) } throws: {
            ($0 as? RTCError)?.code == .invalidState
        }
        alice.addTransceiver(sending: Self.trackA)
        let offer = alice.createOffer()
        #expect(alice.hasPendingLocalOffer)
        #expect { _ = try alice.createAnswer(to: offer) } throws: { ($0 as? RTCError)?.code == .invalidState }
        var twoLines = offer
        twoLines.media.append(offer.media[0])
        #expect { _ = try alice.applyRemoteAnswer(twoLines) } throws: { ($0 as? RTCError)?.code == .malformedSDP }
        var noCredentials = try Self.session("B").createAnswerCopy(to: offer)
        noCredentials.media[0].attributes.removeAll { $0.name == "ice-pwd" }
        #expect { _ = try alice.applyRemoteAnswer(noCredentials) } throws: { ($0 as? RTCError)?.code == .malformedSDP }
        alice.rollbackLocalOffer()
        #expect(!alice.hasPendingLocalOffer)
        var noMid = try SessionDescription(parsing: SDPFixtures.pionLiteOffer)
        noMid.media[0].mid = nil
        #expect { _ = try alice.createAnswer(to: noMid) } throws: { ($0 as? RTCError)?.code == .malformedSDP }
    }
}

extension JSEPSession {
    /// Answers on a copy, for tests that only need the answer text.
    func createAnswerCopy(to offer: SessionDescription) throws -> SessionDescription {
        var copy = self
        return try copy.createAnswer(to: offer).description
    }
}

@Suite("JSEP offer edge cases")
struct JSEPOfferEdgeCaseTests {
    @Test func repeatedOfferBeforeAnswerKeepsItsMLines() throws {
        var alice = JSEPSessionTests.session("A")
        alice.addTransceiver(sending: JSEPSessionTests.trackA)
        let first = alice.createOffer()
        let second = alice.createOffer()
        #expect(second.media.map(\.mid) == first.media.map(\.mid))
        #expect(second.origin.sessionVersion == first.origin.sessionVersion + 1)
        alice.rollbackLocalOffer()
        #expect(alice.createOffer().media.map(\.mid) == ["0"])
    }

    @Test func answerRejectingOurLineStopsItsTransceiver() throws {
        var alice = JSEPSessionTests.session("A")
        var bob = JSEPSessionTests.session("B")
        let rejectedTransceiver = alice.addTransceiver(sending: JSEPSessionTests.trackA)
        var answer = try bob.createAnswer(to: alice.createOffer()).description
        answer.media[0].port = 0
        let negotiated = try alice.applyRemoteAnswer(answer)
        #expect(negotiated.media[0].rejected && negotiated.bundleMids.isEmpty)
        let next = alice.addTransceiver(sending: JSEPSessionTests.trackA)
        #expect(next != rejectedTransceiver)
        let reoffer = alice.createOffer()
        #expect(reoffer.media.count == 1 && reoffer.media[0].mid == "1" && reoffer.media[0].port == 9)
    }
}

@Suite("JSEP against captured peer answers")
struct JSEPPeerAnswerTests {
    /// The offerer whose offer pion and aiortc answered (fixtures `*AnswerToOurOffer`).
    static func interopOfferer() -> JSEPSession {
        var alice = JSEPSessionTests.session("A")
        alice.configuration.fingerprints = [SDPFingerprint(
            algorithm: "sha-256", value: Array(repeating: "AB", count: 32).joined(separator: ":"))]
        alice.configuration.icePassword = "abcdefghijklmnopqrstuvwx"
        alice.configuration.iceUsernameFragment = "abcd"
        alice.addTransceiver(sending: JSEPSessionTests.trackA)
        alice.addTransceiver(sending: nil)
        return alice
    }

    @Test func pionAnswerMakesUsDTLSServer() throws {
        var alice = Self.interopOfferer()
        _ = alice.createOffer()
        let session = try alice.applyRemoteAnswer(SessionDescription(parsing: SDPFixtures.pionAnswerToOurOffer))
        #expect(session.dtlsRole == .server && session.isICEControlling && !session.remoteICELite)
        #expect(session.remoteICEUsernameFragment == "rpVVvkHqaTTcJNLG")
        #expect(session.remoteFingerprint?.value.hasPrefix("55:A0") == true, "pion's session-level fingerprint")
        #expect(session.remoteCandidates.count == 2)
        #expect(session.media.map(\.direction) == [.sendonly, .recvonly])
        #expect(session.media.map(\.opusPayloadType) == [111, 111])
    }

    @Test func aiortcAnswerCarriesItsTrack() throws {
        var alice = Self.interopOfferer()
        _ = alice.createOffer()
        let session = try alice.applyRemoteAnswer(SessionDescription(parsing: SDPFixtures.aiortcAnswerToOurOffer))
        #expect(session.dtlsRole == .server)
        #expect(session.media.map(\.direction) == [.sendrecv, .inactive])
        #expect(session.media[0].remoteSSRCs == [1148098163])
        #expect(session.media[0].remoteMSID?.trackID == "c03fac9c-1ae9-44ff-87a6-7947d0ffe0fd")
        #expect(session.media[0].extensionIDs == [RTPHeaderExtensionURI.mid: 1, RTPHeaderExtensionURI.audioLevel: 2])
        #expect(session.remoteFingerprints.count == 3)
    }
}
