import Testing

@testable import RTC

@Suite("SDP parsing")
struct SessionDescriptionParsingTests {
    @Test func aiortcOfferExposesEveryWebRTCAttribute() throws {
        let sdp = try SessionDescription(parsing: SDPFixtures.aiortcOffer)
        #expect(sdp.origin.sessionID == "4004303303")
        #expect(sdp.bundleGroup?.mids == ["0", "1", "2"])
        #expect(sdp.media.map(\.kind) == [.audio, .audio, .application])
        let audio = sdp.media[0]
        #expect(audio.port == 58989)
        #expect(audio.proto == "UDP/TLS/RTP/SAVPF")
        #expect(audio.formats == ["96", "9", "0", "8"])
        #expect(audio.connection == SDPConnection(address: "127.0.0.1"))
        #expect(audio.mid == "0")
        #expect(audio.direction == .sendrecv)
        #expect(sdp.media[1].direction == .recvonly)
        #expect(sdp.media[2].direction == nil)
        #expect(audio.rtpMap(payloadType: 96) == RTPMap(payloadType: 96, encodingName: "opus", clockRate: 48000, channels: 2))
        #expect(audio.rtpMap(payloadType: 0)?.channels == nil)
        #expect(audio.extensionMaps == [
            ExtensionMap(id: 1, uri: RTPHeaderExtensionURI.mid), ExtensionMap(id: 2, uri: RTPHeaderExtensionURI.audioLevel),
        ])
        #expect(audio.msids == [MediaStreamID(
            streamID: "c39a2217-233c-4ece-a189-2dc80576fd58", trackID: "0dbfb636-4253-4a84-b822-f4893a761f71")])
        #expect(audio.ssrcs == [2136494747])
        #expect(audio.cname(ssrc: 2136494747) == "60fe105b-ec91-4895-afc8-8bece3b777c8")
        #expect(audio.rtcpMux && !audio.rtcpReducedSize)
        #expect(audio.candidates == ["16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 58989 typ host"])
        #expect(audio.endOfCandidates)
        #expect(audio.iceUsernameFragment == "WzQd" && audio.icePassword == "ybRMS9yHrgtKJzl0594SA2")
        #expect(audio.fingerprints.map(\.algorithm) == ["sha-256", "sha-384", "sha-512"])
        #expect(audio.setup == .actpass)
        #expect(!sdp.isICELite)
    }

    @Test func sessionLevelAttributesApplyToMediaUnlessOverridden() throws {
        let sdp = try SessionDescription(parsing: SDPFixtures.pionLiteOffer)
        #expect(sdp.isICELite)
        #expect(sdp.media[0].fingerprints.isEmpty)
        #expect(sdp.fingerprints(forMediaAt: 0) == [SDPFingerprint(
            algorithm: "sha-256",
            value: "E2:E8:FB:FD:B8:D2:76:38:71:0A:2A:35:E0:86:72:B6:EF:79:30:82:08:F9:DC:EA:17:C6:7C:FE:05:4D:16:54")])
        #expect(sdp.iceUsernameFragment(forMediaAt: 0) == "XyoMDRaRMWDgjGYr")
        #expect(sdp.setup(forMediaAt: 1) == .actpass)
        #expect(sdp.media[0].rtcpReducedSize)
        #expect(sdp.media[0].formatParameters(payloadType: 111)?.values == ["minptime": "10", "useinbandfec": "1"])
        #expect(sdp.media[0].candidates.count == 2)

        // A media-level value overrides the session-level one.
        var overridden = sdp
        overridden.attributes.append(SDPAttribute("ice-ufrag", "session"))
        overridden.attributes.append(SDPAttribute("setup", "passive"))
        overridden.media[1].attributes.removeAll { $0.name == "setup" }
        #expect(overridden.iceUsernameFragment(forMediaAt: 0) == "XyoMDRaRMWDgjGYr")
        #expect(overridden.setup(forMediaAt: 0) == .actpass)
        #expect(overridden.setup(forMediaAt: 1) == .passive)
    }

    @Test func liveKitOfferParsesVideoRTXAndFeedback() throws {
        let sdp = try SessionDescription(parsing: SDPFixtures.liveKitSubscriberOffer)
        #expect(sdp.media.map(\.kind) == [.application, .audio, .video])
        let audio = sdp.media[1]
        #expect(audio.extensionMaps == [ExtensionMap(id: 10, uri: RTPHeaderExtensionURI.absoluteCaptureTime)])
        #expect(audio.rtcpFeedback == [RTCPFeedback(payloadType: 111, type: "nack")])
        #expect(audio.ssrcAttributes[1] == SSRCAttribute(
            ssrc: 2834119741, attribute: "msid", value: "PA_kX9yF3qLhZ2w|TR_AMbQ7rT2vYpN TR_AMbQ7rT2vYpN"))
        let video = sdp.media[2]
        #expect(video.ssrcGroups == [SSRCGroup(semantics: "FID", ssrcs: [1111111111, 2222222222])])
        #expect(video.ssrcs == [1111111111, 2222222222])
        #expect(video.rtcpFeedback.last == RTCPFeedback(payloadType: 96, type: "nack", parameter: "pli"))
        #expect(video.formatParameters(payloadType: 97)?.values == ["apt": "96"])
        #expect(sdp.media[0].candidates[1].hasSuffix("tcptype passive"))
    }

    @Test(arguments: SDPFixtures.all.map(\.name))
    func roundTripIsExact(name: String) throws {
        let text = try #require(SDPFixtures.all.first { $0.name == name }?.sdp)
        let parsed = try SessionDescription(parsing: text)
        let serialized = parsed.serialized()
        #expect(serialized == text, "serialize must reproduce the peer's own line order")
        #expect(try SessionDescription(parsing: serialized) == parsed)
    }

    @Test func acceptsBareLineFeeds() throws {
        let lf = String(SDPFixtures.chromeOffer.unicodeScalars.filter { $0 != "\r" })
        #expect(!lf.unicodeScalars.contains("\r"))
        #expect(try SessionDescription(parsing: lf) == SessionDescription(parsing: SDPFixtures.chromeOffer))
    }

    @Test func unknownAttributesAndRareLinesSurviveInOrder() throws {
        let text = SDPFixtures.crlf("""
            v=0
            o=alice 1 7 IN IP6 ::1
            s=A session
            i=session info
            u=http://example.com
            c=IN IP4 192.0.2.1
            b=AS:64
            t=0 0
            r=7d 1h 0 25h
            a=x-first:1
            a=x-flag
            a=x-empty:
            m=audio 5000/2 RTP/AVP 0
            i=audio info
            b=TIAS:64000
            k=prompt
            a=x-media:yes
            a=ptime:20

            """)
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.attributes == [SDPAttribute("x-first", "1"), SDPAttribute("x-flag"), SDPAttribute("x-empty", "")])
        #expect(sdp.media[0].attributes.map(\.name) == ["x-media", "ptime"])
        #expect(sdp.media[0].portCount == 2)
        #expect(sdp.otherLines.map(\.type) == ["i", "u", "r"])
        #expect(sdp.serialized() == text)
    }

    @Test func serializedTextUsesCRLF() throws {
        let description = SessionDescription(
            origin: SDPOrigin(sessionID: "1", sessionVersion: 2),
            media: [MediaDescription(kind: .audio, port: 9, proto: "UDP/TLS/RTP/SAVPF", formats: ["111"],
                                     attributes: [SDPAttribute("mid", "0"), SDPAttribute("rtcp-mux")])])
        let text = description.serialized()
        #expect(text == "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtcp-mux\r\n")
    }

    @Test func typedSettersRewriteAttributes() throws {
        var media = try SessionDescription(parsing: SDPFixtures.aiortcOffer).media[0]
        media.mid = "audio-a"
        #expect(media.mid == "audio-a")
        #expect(media.attributes.filter { $0.name == "mid" }.count == 1)
        #expect(media.attributes.firstIndex { $0.name == "mid" } == 3, "mid keeps its position")
        media.direction = .inactive
        #expect(media.direction == .inactive)
        #expect(media.attributes.filter { MediaDirection(rawValue: $0.name) != nil }.count == 1)
    }
}
