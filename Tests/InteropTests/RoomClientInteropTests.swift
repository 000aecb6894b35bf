import Audio
import Foundation
import LiveKit
import LiveKitProtocol
import Synchronization
import TestSupport
import Testing

/// The room client through LiveKit signalling against a scripted `/rtc` endpoint whose media side
/// is aiortc (`Tests/Interop/peers/livekit_room_server.py`): join, publish our microphone, subscribe
/// to the caller, and audio both ways checked by its tone sequence.
@Suite("Room client (LiveKit signalling, aiortc media)", .serialized, .timeLimit(.minutes(10)))
struct RoomClientInteropTests {
    static let apiKey = "APIroomTest"
    static let apiSecret = "room-test-secret-0123456789abcdef0123456789"

    @Test func joinsPublishesAndSubscribesWithAudioBothWays() async throws {
        let directory = try InteropPeers.workspace("room")
        let tones = ToneSequence.standard
        let audio = tones.render(milliseconds: 6_000)
        let wav = directory.appendingPathComponent("caller.wav")
        try WAVFile.write(audio, to: wav)
        let sfuRecording = directory.appendingPathComponent("sfu-heard.wav")
        let server = try PeerProcess(
            name: "sfu", executable: try InteropPython.interpreter(),
            arguments: [InteropPython.packageRoot.appendingPathComponent("Tests/Interop/peers/livekit_room_server.py").path,
                        Self.apiKey, Self.apiSecret, "--send", wav.path, "--record", sfuRecording.path, "--duration", "7"],
            directory: directory)
        defer { server.terminate() }
        let port = try #require(try await server.readMessage(timeout: .seconds(30))["port"] as? Int)

        var token = AccessToken(apiKey: Self.apiKey, apiSecret: Self.apiSecret, identity: "agent-demo")
        token.grants.video = .join(room: "demo")
        let client = RoomClient(options: .init(url: URL(string: "http://127.0.0.1:\(port)")!, token: try token.jwt(),
                                               hosts: ["127.0.0.1"]))
        let heard = Mutex<[Int16]>([])
        let log = Mutex<[String]>([])
        let consumer = Task {
            for await event in client.events {
                switch event {
                case .joined:
                    client.publish(audio)
                    log.withLock { $0.append("joined") }
                case .trackSubscribed(let track):
                    log.withLock { $0.append("subscribed \(track.mid) \(track.participant?.identity ?? "-") \(track.trackSID ?? "-")") }
                case .connectionState(let role, let state):
                    log.withLock { $0.append("\(role.rawValue) \(state)") }
                case .error(let error):
                    log.withLock { $0.append("error \(error)") }
                default:
                    break
                }
            }
        }
        let listener = Task {
            for await received in client.audio { heard.withLock { $0 += received.frame.samples } }
        }
        try? await client.run()
        await consumer.value
        await listener.value

        let events = log.withLock { $0 }
        #expect(events.first == "joined", "\(events)")
        #expect(events.contains("publisher connected"), "\(events)")
        #expect(events.contains("subscriber connected"), "\(events)")
        #expect(events.contains { $0.hasPrefix("subscribed") && $0.hasSuffix("TR_caller") }, "\(events)")
        #expect(events.contains { $0.hasPrefix("subscribed") && $0.hasSuffix(" caller TR_caller") },
                "the track names its owner, the caller: \(events)")
        #expect(!events.contains { $0.hasPrefix("error") }, "\(events)")

        let result = try #require(try await server.readMessage(timeout: .seconds(30))["result"] as? [String: Any])
        #expect(result["token_identity"] as? String == "agent-demo", "livekit-api accepted the join token")
        let query = try #require(result["query"] as? [String: String])
        #expect(query["protocol"] == "2" && query["sdk"] == "swift" && query["auto_subscribe"] == "1")
        let added = try #require(result["add_track"] as? [String: Any])
        #expect(added["cid"] as? String == "steadfast-microphone")
        #expect(result["publisher_offer_msid_ok"] as? Bool == true, "the offer's msid carries the track cid")
        #expect(result["answer_id"] as? Int == 1, "our answer echoes the server's offer id")
        #expect((result["errors"] as? [Any])?.isEmpty == true, "\(result["errors"] ?? "")")

        let ours = tones.heardSequence(in: AudioFrame(samples: heard.withLock { $0 }))
        #expect(tones.matches(ours, minimumTones: 5), "we heard \(ours) from the caller")
        let theirs = tones.heardSequence(in: try WAVFile.read(path: sfuRecording.path))
        #expect(tones.matches(theirs, minimumTones: 5), "the SFU side heard \(theirs) from us")
    }
}
