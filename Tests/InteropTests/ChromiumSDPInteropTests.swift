import Foundation
import RTC
import Testing

/// Our SDP against Chromium's own `RTCPeerConnection` (headless Debian `chromium`), both directions:
/// Chromium accepts our offer and answers it, and accepts our answer to its offer; we accept both of
/// its descriptions. Chromium is the strictest JSEP checker a LiveKit web client will meet.
@Suite("SDP interop with Chromium", .timeLimit(.minutes(3)))
struct ChromiumSDPInteropTests {
    static func peerConnection() throws -> PeerConnection {
        let connection = PeerConnection(certificate: try DTLSCertificate())
        connection.addLocalHostCandidate(try #require(TransportAddress(host: "127.0.0.1", port: 50_000)))
        connection.addSendTrack()
        return connection
    }

    struct Description: Decodable { let type: String; let sdp: String }

    /// We offer (sendrecv Opus), Chromium answers with a microphone, we apply its answer.
    @Test func chromiumAnswersOurOfferAndWeApplyItsAnswer() async throws {
        let ours = try Self.peerConnection()
        let offer = try ours.createOffer()
        let json = try await ChromiumPeer.run(ChromiumPeer.audioTrackScript + """
            const pc = new RTCPeerConnection();
            await pc.setRemoteDescription({ type: 'offer', sdp: \(ChromiumPeer.literal(offer)) });
            await pc.getTransceivers()[0].sender.replaceTrack(stream.getAudioTracks()[0]);
            pc.getTransceivers()[0].direction = 'sendrecv';
            const answer = await pc.createAnswer();
            await pc.setLocalDescription(answer);
            return { type: 'answer', sdp: pc.localDescription.sdp };
            """)
        let answer = try JSONDecoder().decode(Description.self, from: Data(json.utf8))
        #expect(answer.sdp.contains("a=rtpmap:111 opus/48000/2"), "Chromium kept Opus: \(answer.sdp)")
        #expect(answer.sdp.contains("a=sendrecv"))
        try ours.setRemoteDescription(answer.sdp, type: .answer, now: .now)
    }

    /// Chromium offers as a LiveKit web publisher does (audio and a data channel); we answer; a
    /// second Chromium page with the same offer shape accepts our answer, data section included
    /// (RFC 8841: `UDP/DTLS/SCTP webrtc-datachannel` with `a=sctp-port`, bundled with the audio).
    @Test func weAnswerChromiumsOfferAndChromiumAcceptsOurAnswer() async throws {
        let offerJSON = try await ChromiumPeer.run(ChromiumPeer.publisherOfferScript
            + "return { type: 'offer', sdp: pc.localDescription.sdp };")
        let offer = try JSONDecoder().decode(Description.self, from: Data(offerJSON.utf8))
        #expect(offer.sdp.contains("m=application") && offer.sdp.contains("a=group:BUNDLE 0 1"))

        let ours = try Self.peerConnection()
        try ours.setRemoteDescription(offer.sdp, type: .offer, now: .now)
        let answer = try ours.createAnswer()
        #expect(answer.contains("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"), "the data channel is accepted: \(answer)")
        #expect(answer.contains("a=sctp-port:") && answer.contains("a=group:BUNDLE 0 1"))

        let state = try await ChromiumPeer.run(ChromiumPeer.publisherOfferScript + """
            await pc.setRemoteDescription({ type: 'answer', sdp: \(ChromiumPeer.literal(answer)) });
            return pc.signalingState;
            """)
        #expect(state == "\"stable\"", "Chromium applied our answer: \(state)")
    }

    /// Control: Chromium refuses an answer that does not fit its offer, so the test above can fail.
    @Test func chromiumRefusesAnAnswerThatDoesNotMatchItsOffer() async throws {
        let ours = try Self.peerConnection()
        let offer = try ours.createOffer()   // one audio m-line, not Chromium's audio + data
        let wrong = offer.replacingOccurrences(of: "a=setup:actpass", with: "a=setup:active")
        do {
            let state = try await ChromiumPeer.run(ChromiumPeer.publisherOfferScript + """
                await pc.setRemoteDescription({ type: 'answer', sdp: \(ChromiumPeer.literal(wrong)) });
                return pc.signalingState;
                """)
            Issue.record("Chromium accepted a mismatched answer: \(state)")
        } catch let failure as ChromiumPeer.Failure {
            // Chromium's own refusal, not a page that never ran.
            #expect(failure.description.contains("Failed to execute 'setRemoteDescription'")
                    || failure.description.contains("Failed to set remote answer sdp"), "\(failure)")
        }
    }
}
