import Audio
import Foundation
import TestSupport
import Testing

/// Steadfast's media stack against two independent WebRTC implementations (aiortc and pion),
/// each offering and answering, with audio both ways checked by its tone sequence.
@Suite("WebRTC interop (aiortc, pion)", .serialized, .timeLimit(.minutes(10)))
struct WebRTCInteropTests {
    static let tones = ToneSequence.standard
    static let seconds = 6.0

    enum Peer { case aiortc, pion }

    struct Run {
        var outcome: SignallingRelay.Outcome
        var steadfastStats: [String: Any]
        var peerStats: [String: Any]
        /// What Steadfast recorded from the peer, and what the peer recorded from Steadfast.
        var heardBySteadfast: [Double]
        var heardByPeer: [Double]
        var peerPacketsReceived: Int
        var directory: URL
    }

    /// Runs one pairing: both sides send the tone sequence and record the other.
    static func run(_ peer: Peer, steadfastOffers: Bool, duration: Double = seconds, steadfastArguments: [String] = [],
                    peerArguments: [String] = []) async throws -> Run {
        let directory = try InteropPeers.workspace("\(peer)-\(steadfastOffers ? "we-offer" : "they-offer")")
        let audio = tones.render(milliseconds: Int(duration * 1000) - 1000)
        let wav = directory.appendingPathComponent("tones.wav")
        try WAVFile.write(audio, to: wav)
        let ourRecording = directory.appendingPathComponent("steadfast-heard.wav")
        let ourArguments = ["rtc", "peer", "--role", steadfastOffers ? "offer" : "answer", "--loopback",
                            "--send", wav.path, "--record", ourRecording.path, "--duration", "\(duration)"]
            + steadfastArguments
        let steadfast = try PeerProcess(name: "steadfast", executable: try InteropPeers.steadfast(),
                                        arguments: ourArguments, directory: directory)
        defer { steadfast.terminate() }

        let peerRecording: URL
        let other: PeerProcess
        switch peer {
        case .aiortc:
            peerRecording = directory.appendingPathComponent("aiortc-heard.wav")
            other = try PeerProcess(
                name: "aiortc", executable: try InteropPython.interpreter(),
                arguments: [InteropPeers.aiortcScript, "--role", steadfastOffers ? "answer" : "offer", "--loopback",
                            "--send", wav.path, "--record", peerRecording.path, "--duration", "\(duration)"] + peerArguments,
                directory: directory)
        case .pion:
            peerRecording = directory.appendingPathComponent("pion-heard.rtp")
            let packets = directory.appendingPathComponent("tones.opus-packets")
            try InteropPeers.writeOpusPackets(audio, to: packets)
            other = try PeerProcess(
                name: "pion", executable: try InteropPeers.pion(),
                arguments: ["--role", steadfastOffers ? "answer" : "offer", "--send", packets.path,
                            "--record", peerRecording.path, "--duration", "\(duration)"] + peerArguments,
                directory: directory)
        }
        defer { other.terminate() }

        let outcome = try await SignallingRelay.run(offerer: steadfastOffers ? steadfast : other,
                                                    answerer: steadfastOffers ? other : steadfast,
                                                    duration: .milliseconds(Int(duration * 1000)))
        let ours = (steadfastOffers ? outcome.offererStats : outcome.answererStats)["stats"] as? [String: Any] ?? [:]
        let theirs = (steadfastOffers ? outcome.answererStats : outcome.offererStats)["stats"] as? [String: Any] ?? [:]
        let heardBySteadfast = tones.heardSequence(in: try WAVFile.read(path: ourRecording.path))
        let heardByPeer: [Double]
        let peerPackets: Int
        switch peer {
        case .aiortc:
            heardByPeer = tones.heardSequence(in: try WAVFile.read(path: peerRecording.path))
            peerPackets = theirs["inbound-rtp.packetsReceived"] as? Int ?? 0
        case .pion:
            let decoded = try InteropPeers.decodeRTPDump(peerRecording)
            heardByPeer = tones.heardSequence(in: decoded.audio)
            peerPackets = decoded.packets
        }
        return Run(outcome: outcome, steadfastStats: ours, peerStats: theirs, heardBySteadfast: heardBySteadfast,
                   heardByPeer: heardByPeer, peerPacketsReceived: peerPackets, directory: directory)
    }

    /// The checks every pairing must pass: connected, ≥ 98 % of our packets delivered, and each
    /// side heard the other's tones in order.
    static func expectAudioBothWays(_ run: Run, _ peer: Peer, sourceLocation: SourceLocation = #_sourceLocation) {
        let sent = run.steadfastStats["packetsSent"] as? Int ?? 0
        let received = run.steadfastStats["packetsReceived"] as? Int ?? 0
        #expect(run.steadfastStats["connected"] as? Bool == true, "Steadfast did not connect: \(run.steadfastStats)",
                sourceLocation: sourceLocation)
        #expect(sent > 150, "Steadfast sent only \(sent) packets", sourceLocation: sourceLocation)
        #expect(Double(run.peerPacketsReceived) >= 0.98 * Double(sent),
                "\(peer) received \(run.peerPacketsReceived) of \(sent) packets", sourceLocation: sourceLocation)
        #expect(received > 150, "Steadfast received only \(received) packets", sourceLocation: sourceLocation)
        #expect(tones.matches(run.heardByPeer, minimumTones: 5),
                "\(peer) heard \(run.heardByPeer), expected the sequence \(tones.frequencies)", sourceLocation: sourceLocation)
        #expect(tones.matches(run.heardBySteadfast, minimumTones: 5),
                "Steadfast heard \(run.heardBySteadfast), expected the sequence \(tones.frequencies)",
                sourceLocation: sourceLocation)
    }

    @Test func steadfastOffersAiortcAnswers() async throws {
        let run = try await Self.run(.aiortc, steadfastOffers: true)
        Self.expectAudioBothWays(run, .aiortc)
    }

    @Test func aiortcOffersSteadfastAnswers() async throws {
        let run = try await Self.run(.aiortc, steadfastOffers: false)
        Self.expectAudioBothWays(run, .aiortc)
    }

    @Test func steadfastOffersPionAnswersWithAESCounterMode() async throws {
        let run = try await Self.run(.pion, steadfastOffers: true, steadfastArguments: ["--srtp", "aes128cm"])
        Self.expectAudioBothWays(run, .pion)
        #expect(run.steadfastStats["srtpProfile"] as? String == "SRTP_AES128_CM_SHA1_80")
    }

    @Test func pionOffersSteadfastAnswersWithGCM() async throws {
        let run = try await Self.run(.pion, steadfastOffers: false, peerArguments: ["--srtp", "gcm128"])
        Self.expectAudioBothWays(run, .pion)
        #expect(run.steadfastStats["srtpProfile"] as? String == "SRTP_AEAD_AES_128_GCM")
    }

    /// LiveKit's SFU can run ice-lite: the lite offerer never checks, so Steadfast must take the
    /// controlling role although it answers, and nominate.
    @Test func iceLitePionOffersAndSteadfastControls() async throws {
        let run = try await Self.run(.pion, steadfastOffers: false, peerArguments: ["--lite"])
        #expect(run.outcome.offer.contains("a=ice-lite"))
        Self.expectAudioBothWays(run, .pion)
    }

    /// Past 30 s the connection lives only if consent freshness works both ways (RFC 7675).
    @Test func longRunKeepsConsentFresh() async throws {
        let run = try await Self.run(.pion, steadfastOffers: true, duration: 36)
        Self.expectAudioBothWays(run, .pion)
        let sent = run.steadfastStats["packetsSent"] as? Int ?? 0
        #expect(sent > 1_600, "a 36 s run should send about 1750 packets, sent \(sent)")
    }
}
