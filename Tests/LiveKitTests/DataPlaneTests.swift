import Foundation
import LiveKitProtocol
import SwiftProtobuf
import Testing
@testable import LiveKit

/// Two participants' data planes back to back on a virtual clock, with a stand-in for the SFU in
/// between that does what LiveKit's does to a forwarded packet: stamp the sender's identity.
@Suite("Data plane (packets, streams, RPC, transcripts)")
struct DataPlaneTests {
    /// Two cores and the packets in flight between them.
    struct Pair {
        var alice = RoomDataCore()
        var bob = RoomDataCore()
        var now = ContinuousClock.now
        var aliceEvents: [RoomDataEvent] = []
        var bobEvents: [RoomDataEvent] = []
        /// Everything either side put on a channel, for tests that look at the wire.
        var wire: [(from: String, Livekit_DataPacket, DataKind)] = []
        /// Packets from this sender are lost (a peer that stopped answering).
        var silenced: Set<String> = []

        mutating func alice(_ input: RoomDataCore.Input) { alice.handle(input, now: now); pump() }
        mutating func bob(_ input: RoomDataCore.Input) { bob.handle(input, now: now); pump() }

        mutating func advance(_ duration: Duration) {
            let end = now + duration
            while true {
                let next = [alice.nextDeadline, bob.nextDeadline].compactMap { $0 }.filter { $0 <= end }.min()
                guard let next else { break }
                now = max(now, next)
                alice.handle(.timeout, now: now)
                bob.handle(.timeout, now: now)
                pump()
            }
            now = end
        }

        /// Moves every output across, stamping the sender as the SFU does, until both are quiet.
        mutating func pump() {
            var moved = true
            while moved {
                moved = false
                while let output = alice.pollOutput() {
                    moved = true
                    switch output {
                    case .send(let bytes, let kind):
                        if let forwarded = forward(bytes, from: "alice", kind: kind) { bob.handle(.received(forwarded, kind: kind), now: now) }
                    case .event(let event): aliceEvents.append(event)
                    }
                }
                while let output = bob.pollOutput() {
                    moved = true
                    switch output {
                    case .send(let bytes, let kind):
                        if let forwarded = forward(bytes, from: "bob", kind: kind) { alice.handle(.received(forwarded, kind: kind), now: now) }
                    case .event(let event): bobEvents.append(event)
                    }
                }
            }
        }

        private mutating func forward(_ bytes: Data, from sender: String, kind: DataKind) -> Data? {
            guard var packet = try? Livekit_DataPacket(serializedBytes: bytes) else { return bytes }
            wire.append((sender, packet, kind))
            guard !silenced.contains(sender) else { return nil }
            // LiveKit keeps an agent's on-behalf identity; otherwise the sender is who sent it.
            if packet.participantIdentity.isEmpty { packet.participantIdentity = sender }
            return try? packet.serializedData()
        }
    }

    @Test func aUserPacketArrivesWithTopicKindAndTheSendersIdentity() throws {
        var pair = Pair()
        pair.alice(.sendPacket(payload: Data("hello".utf8), topic: "greetings", destinations: ["bob"], kind: .lossy))
        #expect(pair.bobEvents == [.userPacket(ReceivedUserPacket(payload: Data("hello".utf8), topic: "greetings",
                                                                  senderIdentity: "alice", kind: .lossy))])
        let sent = try #require(pair.wire.first)
        #expect(sent.1.destinationIdentities == ["bob"] && sent.1.kind == .lossy)
    }

    @Test func aLongTextStreamIsCutBetweenScalarsAndReassembledWithTrailerAttributes() throws {
        var pair = Pair()
        pair.bob(.readTopic("notes"))
        // One byte, then 3-byte scalars: a naive 15,000-byte cut would split one.
        let text = "a" + String(repeating: "€", count: 15_000)
        pair.alice(.openStream(.init(id: "S1", topic: "notes", attributes: ["a": "1", "final": "false"], timestamp: 1)))
        pair.alice(.writeStream(id: "S1", Data(text.utf8)))
        pair.alice(.closeStream(id: "S1", attributes: ["final": "true"]))
        let chunks = pair.wire.compactMap { if case .streamChunk(let chunk) = $0.1.value { chunk } else { nil } }
        #expect(chunks.count == 4 && chunks.map(\.chunkIndex) == [0, 1, 2, 3])
        #expect(chunks.allSatisfy { $0.content.count <= 15_000 && String(validating: $0.content, as: UTF8.self) != nil })
        guard case .textStream(let stream)? = pair.bobEvents.first else {
            Issue.record("no text stream: \(pair.bobEvents)")
            return
        }
        #expect(stream.text == text)
        #expect(stream.info.senderIdentity == "alice" && stream.info.topic == "notes")
        #expect(stream.info.attributes == ["a": "1", "final": "true"], "the trailer's attributes win")
    }

    @Test func streamsOnTopicsNobodyReadsAreDroppedQuietly() {
        var pair = Pair()
        pair.alice(.openStream(.init(id: "S1", topic: "unread", timestamp: 1)))
        pair.alice(.writeStream(id: "S1", Data("x".utf8)))
        pair.alice(.closeStream(id: "S1", attributes: [:]))
        #expect(pair.bobEvents.isEmpty)
        #expect(pair.bob.openIncomingStreamCount == 0)
    }

    @Test func aByteStreamRoundTrips() {
        var pair = Pair()
        pair.bob(.readTopic("files"))
        let bytes = Data((0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        pair.alice(.openStream(.init(id: "B1", topic: "files", content: .bytes(name: "x.bin"), totalLength: UInt64(bytes.count),
                                     timestamp: 1)))
        pair.alice(.writeStream(id: "B1", bytes))
        pair.alice(.closeStream(id: "B1", attributes: [:]))
        guard case .byteStream(let stream)? = pair.bobEvents.first else {
            Issue.record("no byte stream: \(pair.bobEvents)")
            return
        }
        #expect(stream.data == bytes && stream.info.content == .bytes(name: "x.bin") && stream.info.mimeType == "application/octet-stream")
    }

    @Test func incomingStreamsAreBounded() throws {
        var limits = RoomDataCore.Limits()
        limits.maxIncomingStreams = 2
        limits.maxStreamBytes = 1_000
        var pair = Pair()
        pair.bob = RoomDataCore(limits: limits)
        pair.bob(.readTopic("t"))
        // Declared too long: refused at the header.
        pair.alice(.openStream(.init(id: "big", topic: "t", totalLength: 5_000, timestamp: 1)))
        // Not declared, but grows past the limit.
        pair.alice(.openStream(.init(id: "grows", topic: "t", timestamp: 1)))
        pair.alice(.writeStream(id: "grows", Data(count: 1_500)))
        // Two open, the third refused.
        for id in ["o1", "o2", "o3"] { pair.alice(.openStream(.init(id: id, topic: "t", timestamp: 1))) }
        let dropped = pair.bobEvents.compactMap { if case .dropped(let message) = $0 { message } else { nil } }
        #expect(dropped.count == 3, "\(dropped)")
        #expect(dropped[0].contains("declares 5000 bytes"))
        #expect(dropped[1].contains("grew past its limit"))
        #expect(dropped[2].contains("2 streams are already open"))
        #expect(pair.bob.openIncomingStreamCount == 2)

        // A sender that goes quiet mid-stream: its streams are dropped after the idle timeout.
        pair.advance(.seconds(31))
        #expect(pair.bob.openIncomingStreamCount == 0)
        #expect(pair.bobEvents.filter { if case .dropped(let m) = $0 { m.contains("idle") } else { false } }.count == 2)
    }

    @Test func aSkippedChunkDropsTheStream() throws {
        var bob = RoomDataCore()
        let now = ContinuousClock.now
        bob.handle(.readTopic("t"), now: now)
        func deliver(_ value: Livekit_DataPacket.OneOf_Value) throws {
            var packet = Livekit_DataPacket()
            packet.participantIdentity = "alice"
            packet.value = value
            bob.handle(.received(try packet.serializedData(), kind: .reliable), now: now)
        }
        try deliver(.streamHeader(DataStreamWriter.header(id: "S", topic: "t", content: .text, attributes: [:], totalLength: nil,
                                                          timestamp: 0)))
        var chunk = Livekit_DataStream.Chunk()
        chunk.streamID = "S"
        chunk.chunkIndex = 1
        chunk.content = Data("late".utf8)
        try deliver(.streamChunk(chunk))
        #expect(bob.pollOutput() == .event(.dropped("stream S from alice skipped from chunk 0 to 1")))
        #expect(bob.openIncomingStreamCount == 0)
    }

    /// Garbage on a data channel: one dropped line each, never a crash, and the core still works.
    @Test func malformedAndRandomMessagesAreDroppedWithOneLine() throws {
        var core = RoomDataCore()
        var random = SystemRandomNumberGenerator()
        let now = ContinuousClock.now
        core.handle(.readTopic("t"), now: now)
        var dropped = 0, other = 0
        for round in 0..<2_000 {
            let count = Int.random(in: 0..<200, using: &random)
            var bytes = Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) })
            if round % 3 == 0 {
                // Valid framing, random contents: a header-ish field followed by noise.
                bytes = Data([0x62, UInt8(min(count, 127))]) + bytes.prefix(127)
            }
            core.handle(.received(bytes, kind: .reliable), now: now)
            while let output = core.pollOutput() {
                if case .event(.dropped(let message)) = output {
                    dropped += 1
                    #expect(!message.contains("\n"))
                } else { other += 1 }
            }
        }
        core.handle(.received(Data(count: DataPacketWire.maxBytes + 1), kind: .reliable), now: now)
        #expect(core.pollOutput() == .event(.dropped("a data packet of 262145 bytes is over the 262144-byte limit")))
        #expect(dropped > 1_000, "most random messages are not DataPackets (\(dropped) dropped, \(other) other)")
        #expect(core.openIncomingStreamCount <= 32)
    }

    // MARK: RPC

    @Test func anRpcRoundTripsWithAckAndResponse() throws {
        var pair = Pair()
        pair.bob(.registerMethod("echo"))
        pair.alice(.performRpc(id: "R1", destination: "bob", method: "echo", payload: "ping", responseTimeout: .seconds(10)))
        guard case .rpcInvocation(let invocation)? = pair.bobEvents.first else {
            Issue.record("bob was not invoked: \(pair.bobEvents)")
            return
        }
        #expect(invocation.callerIdentity == "alice" && invocation.method == "echo" && invocation.payload == "ping")
        #expect(invocation.responseTimeout == .seconds(10))
        // The ack went out before the handler answered.
        #expect(pair.wire.contains { if case .rpcAck(let ack) = $0.1.value { ack.requestID == "R1" } else { false } })
        pair.advance(.seconds(9))  // past the ack timeout: the ack stopped that clock
        #expect(pair.aliceEvents.isEmpty, "\(pair.aliceEvents)")
        pair.bob(.respondRpc(requestID: "R1", .success("pong")))
        #expect(pair.aliceEvents == [.rpcResult(id: "R1", .success("pong"))])
        #expect(pair.alice.pendingCallCount == 0 && pair.alice.nextDeadline == nil)
    }

    @Test func rpcFailuresCarryLiveKitsErrorCodes() throws {
        var pair = Pair()
        pair.bob(.registerMethod("fails"))
        pair.bob(.registerMethod("big"))
        pair.alice(.performRpc(id: "unknown", destination: "bob", method: "nope", payload: "", responseTimeout: .seconds(10)))
        pair.alice(.performRpc(id: "fails", destination: "bob", method: "fails", payload: "", responseTimeout: .seconds(10)))
        pair.bob(.respondRpc(requestID: "fails", .failure(RpcError(code: 2001, message: "no such city", data: "Atlantis"))))
        pair.alice(.performRpc(id: "big", destination: "bob", method: "big", payload: "", responseTimeout: .seconds(10)))
        pair.bob(.respondRpc(requestID: "big", .success(String(repeating: "x", count: 15_361))))
        pair.alice(.performRpc(id: "huge", destination: "bob", method: "big", payload: String(repeating: "x", count: 15_361),
                               responseTimeout: .seconds(10)))
        #expect(pair.aliceEvents == [
            .rpcResult(id: "unknown", .failure(.unsupportedMethod)),
            .rpcResult(id: "fails", .failure(RpcError(code: 2001, message: "no such city", data: "Atlantis"))),
            .rpcResult(id: "big", .failure(.responsePayloadTooLarge)),
            .rpcResult(id: "huge", .failure(.requestPayloadTooLarge)),
        ])
        #expect(RpcError.unsupportedMethod.code == 1400 && RpcError.responsePayloadTooLarge.code == 1504
                && RpcError.requestPayloadTooLarge.code == 1402)
    }

    @Test func rpcTimeoutsAndADepartedCallee() throws {
        var pair = Pair()
        // Nobody acks: connection timeout after 7 s.
        pair.silenced = ["bob"]
        pair.bob(.registerMethod("slow"))
        pair.alice(.performRpc(id: "lost", destination: "bob", method: "slow", payload: "", responseTimeout: .seconds(10)))
        pair.advance(.milliseconds(6_999))
        #expect(pair.aliceEvents.isEmpty)
        pair.advance(.milliseconds(2))
        #expect(pair.aliceEvents == [.rpcResult(id: "lost", .failure(.connectionTimeout))])

        // Acked but never answered: response timeout, at least 8 s even when asked for 1 s.
        pair.silenced = []
        pair.aliceEvents = []
        pair.alice(.performRpc(id: "slow", destination: "bob", method: "slow", payload: "", responseTimeout: .seconds(1)))
        let request = pair.wire.last { if case .rpcRequest = $0.1.value { true } else { false } }
        if case .rpcRequest(let sent)? = request?.1.value { #expect(sent.responseTimeoutMs == 8_000 && sent.version == 1) }
        pair.advance(.milliseconds(7_999))
        #expect(pair.aliceEvents.isEmpty)
        pair.advance(.milliseconds(2))
        #expect(pair.aliceEvents == [.rpcResult(id: "slow", .failure(.responseTimeout))])

        // The callee leaves mid-call.
        pair.aliceEvents = []
        pair.alice(.performRpc(id: "gone", destination: "bob", method: "slow", payload: "", responseTimeout: .seconds(10)))
        pair.alice(.participantLeft(identity: "bob"))
        #expect(pair.aliceEvents == [.rpcResult(id: "gone", .failure(.recipientDisconnected))])
        // A late answer to a call that is over is ignored.
        pair.bob(.respondRpc(requestID: "gone", .success("late")))
        #expect(pair.aliceEvents.count == 1)
    }

    @Test func chatMessagesArriveWithTheSender() throws {
        var core = RoomDataCore()
        var packet = Livekit_DataPacket()
        packet.participantIdentity = "caller"
        var chat = Livekit_ChatMessage()
        chat.id = "C1"
        chat.message = "What time is it?"
        chat.timestamp = 42
        packet.chatMessage = chat
        core.handle(.received(try packet.serializedData(), kind: .reliable), now: .now)
        #expect(core.pollOutput() == .event(.chatMessage(ReceivedChatMessage(id: "C1", text: "What time is it?",
                                                                             senderIdentity: "caller", timestamp: 42))))
    }

    // MARK: Transcripts

    /// Runs transcription outputs through Alice's data plane to Bob, who reads `lk.transcription`.
    static func deliver(_ transcription: inout TranscriptionCore, to pair: inout Pair) {
        while let output = transcription.pollOutput() {
            switch output {
            case .open(let id, let attributes, let sender):
                pair.alice(.openStream(.init(id: id, topic: TranscriptionCore.topic, attributes: attributes,
                                             senderIdentity: sender, timestamp: 1)))
            case .write(let id, let text): pair.alice(.writeStream(id: id, Data(text.utf8)))
            case .close(let id, let attributes): pair.alice(.closeStream(id: id, attributes: attributes))
            }
        }
    }

    @Test func userTranscriptsShareASegmentAndArriveOnBehalfOfTheUser() throws {
        var pair = Pair()
        pair.bob(.readTopic(TranscriptionCore.topic))
        var transcription = TranscriptionCore(seed: 1)
        for (text, final) in [("what", false), ("what is the", false), ("What is the weather?", true), ("Thanks", true)] {
            transcription.handle(.userTranscript(text, isFinal: final, identity: "caller", trackSID: "TR_caller"), now: pair.now)
            Self.deliver(&transcription, to: &pair)
        }
        let streams = pair.bobEvents.compactMap { if case .textStream(let s) = $0 { s } else { nil } }
        #expect(streams.map(\.text) == ["what", "what is the", "What is the weather?", "Thanks"])
        #expect(streams.allSatisfy { $0.info.senderIdentity == "caller" && $0.info.attributes[TranscriptionCore.trackAttribute] == "TR_caller" })
        #expect(streams.map { $0.info.attributes[TranscriptionCore.finalAttribute] } == ["false", "false", "true", "true"])
        let segments = streams.map { $0.info.attributes[TranscriptionCore.segmentAttribute] ?? "" }
        #expect(Set(segments[0...2]).count == 1 && segments[3] != segments[0] && segments[0].hasPrefix("SG_"))
    }

    /// The agent's words go out as they are heard, and a barge-in cuts them where the audio stopped.
    @Test func agentWordsFollowTheAudioAndStopAtABargeIn() throws {
        var pair = Pair()
        pair.bob(.readTopic(TranscriptionCore.topic))
        var transcription = TranscriptionCore(seed: 2, wordsPerSecond: 2)
        let start = pair.now
        func run(until offset: Duration) {
            while let deadline = transcription.nextDeadline, deadline <= start + offset {
                transcription.handle(.timeout, now: deadline)
            }
            Self.deliver(&transcription, to: &pair)
        }
        transcription.handle(.agentTrack(sid: "TR_agent"), now: start)
        transcription.handle(.agentSpeechStarted("One two three four."), now: start)
        Self.deliver(&transcription, to: &pair)
        run(until: .milliseconds(1_100))  // 0, 0.5, 1.0 s: three words heard
        let written = pair.wire.compactMap { if case .streamChunk(let c) = $0.1.value { String(decoding: c.content, as: UTF8.self) } else { nil } }
        #expect(written == ["One", " two", " three"])
        // The next sentence starts: the rest of the first one has been heard.
        transcription.handle(.agentSpeechStarted("Five six seven eight nine."), now: start + .milliseconds(1_200))
        run(until: .milliseconds(1_800))
        transcription.handle(.agentBargeIn, now: start + .milliseconds(1_800))
        run(until: .seconds(10))
        // The session says the user heard up to "seven".
        transcription.handle(.agentInterrupted(spoken: "One two three four. Five six seven"), now: start + .seconds(10))
        Self.deliver(&transcription, to: &pair)
        let streams = pair.bobEvents.compactMap { if case .textStream(let s) = $0 { s } else { nil } }
        #expect(streams.map(\.text) == ["One two three four. Five six seven"])
        #expect(streams.first?.info.attributes[TranscriptionCore.finalAttribute] == "true")
        #expect(streams.first?.info.attributes[TranscriptionCore.trackAttribute] == "TR_agent")
        #expect(streams.first?.info.senderIdentity == "alice")
        #expect(transcription.nextDeadline == nil)
    }
}
