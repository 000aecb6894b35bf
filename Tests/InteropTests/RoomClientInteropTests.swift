import Audio
import Foundation
import LiveKit
import LiveKitProtocol
import Synchronization
import TestSupport
import Testing

/// The room client through LiveKit signalling (protocol 17, subscriber primary) against a scripted
/// `/rtc` endpoint whose media side is aiortc (`Tests/Interop/peers/livekit_room_server.py`): join,
/// publish our microphone, subscribe to the caller, and audio both ways checked by its tone
/// sequence; and the data plane over aiortc's SCTP data channels both ways: our `_reliable`/`_lossy`
/// channels, packets and text streams in order, typed chat, and RPC in both directions.
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
                        Self.apiKey, Self.apiSecret, "--send", wav.path, "--record", sfuRecording.path, "--duration", "7",
                        "--chat", "Is anyone there?", "--chat-at", "1", "--rpc", "agent.ping", "--rpc-payload", "marco",
                        "--rpc-at", "1.5"],
            directory: directory)
        defer { server.terminate() }
        let port = try #require(try await server.readMessage(timeout: .seconds(30))["port"] as? Int)

        var token = AccessToken(apiKey: Self.apiKey, apiSecret: Self.apiSecret, identity: "agent-demo")
        token.grants.video = .join(room: "demo")
        let client = RoomClient(options: .init(url: URL(string: "http://127.0.0.1:\(port)")!, token: try token.jwt(),
                                               hosts: ["127.0.0.1"]))
        let heard = Mutex<[Int16]>([])
        let log = Mutex<[String]>([])
        let received = Mutex<[RoomDataEvent]>([])
        client.readStreams(topic: "lk.chat")
        client.registerRpcMethod("agent.ping") { invocation in "polo:\(invocation.payload):\(invocation.callerIdentity)" }
        let (opened, openedSink) = AsyncStream<Void>.makeStream()
        // Our call to the caller, once our _reliable channel is open.
        let call = Task { () -> Result<String, RpcError> in
            for await _ in opened { break }
            do throws(RpcError) {
                return .success(try await client.performRpc(destination: "caller", method: "caller.echo", payload: "steadfast"))
            } catch {
                return .failure(error)
            }
        }
        let consumer = Task {
            for await event in client.events {
                switch event {
                case .dataChannelOpened(let connection, let label):
                    log.withLock { $0.append("channel \(connection.rawValue) \(label)") }
                    if connection == .publisher, label == "_reliable" {
                        for index in 1...3 { client.sendText("line \(index)", topic: "notes", attributes: ["n": "\(index)"]) }
                        client.sendData(Data("lossy hello".utf8), topic: "pings", kind: .lossy)
                        openedSink.yield()
                        openedSink.finish()
                    }
                case .data(let data):
                    received.withLock { $0.append(data) }
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
        openedSink.finish()
        let called = await call.value

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
        #expect(query["protocol"] == "17" && query["sdk"] == "swift" && query["auto_subscribe"] == "1")
        let added = try #require(result["add_track"] as? [String: Any])
        #expect(added["cid"] as? String == "steadfast-microphone")
        #expect(result["publisher_offer_msid_ok"] as? Bool == true, "the offer's msid carries the track cid")
        #expect(result["answer_id"] as? Int == 1, "our answer echoes the server's offer id")
        #expect((result["errors"] as? [Any])?.isEmpty == true, "\(result["errors"] ?? "")")


        // The data plane. Our channels, as LiveKit SDKs open them on the publisher connection.
        let channels = try #require(result["publisher_channels"] as? [[String: Any]])
        let reliable = channels.first { $0["label"] as? String == "_reliable" }
        let lossy = channels.first { $0["label"] as? String == "_lossy" }
        #expect(reliable?["ordered"] as? Bool == true, "\(channels)")
        #expect(lossy?["ordered"] as? Bool == false && lossy?["max_retransmits"] as? Int == 0, "\(channels)")
        #expect(events.contains("channel subscriber _reliable"), "the server's channel reached us: \(events)")
        #expect((result["data_errors"] as? [Any])?.isEmpty == true, "\(result["data_errors"] ?? "")")
        // Text streams arrive whole and in order; the lossy packet with its topic.
        let streams = (result["text_streams"] as? [[String: Any]]) ?? []
        let notes = streams.filter { $0["topic"] as? String == "notes" }
        #expect(notes.map { $0["text"] as? String } == ["line 1", "line 2", "line 3"], "\(streams)")
        #expect(notes.map { ($0["attributes"] as? [String: String])?["n"] } == ["1", "2", "3"])
        let packets = (result["user_packets"] as? [[String: Any]]) ?? []
        #expect(packets.contains { $0["topic"] as? String == "pings" && $0["payload"] as? String == "lossy hello"
                                   && $0["label"] as? String == "_lossy" }, "\(packets)")
        // What the caller sent us, each with its sender.
        let data = received.withLock { $0 }
        #expect(data.contains(.userPacket(ReceivedUserPacket(payload: Data("hello from the caller".utf8), topic: "greetings",
                                                             senderIdentity: "caller", kind: .reliable))), "\(data)")
        let chat = data.compactMap { if case .textStream(let stream) = $0 { stream } else { nil } }.first
        #expect(chat?.text == "Is anyone there?" && chat?.info.senderIdentity == "caller" && chat?.info.topic == "lk.chat",
                "\(data)")
        // RPC both ways: our call answered by the caller, the caller's call answered by our handler.
        #expect(called == .success("tsafdaets"), "\(called)")
        let requests = (result["rpc_requests"] as? [[String: Any]]) ?? []
        #expect(requests.first?["method"] as? String == "caller.echo" && requests.first?["version"] as? Int == 1, "\(requests)")
        #expect(result["rpc_ack"] is NSNumber, "the client acked the caller's call")
        let answer = result["rpc_response"] as? [String: Any]
        #expect(answer?["payload"] as? String == "polo:marco:caller", "\(answer ?? [:])")

        let ours = tones.heardSequence(in: AudioFrame(samples: heard.withLock { $0 }))
        #expect(tones.matches(ours, minimumTones: 5), "we heard \(ours) from the caller")
        let theirs = tones.heardSequence(in: try WAVFile.read(path: sfuRecording.path))
        #expect(tones.matches(theirs, minimumTones: 5), "the SFU side heard \(theirs) from us")
    }
}
