import Audio
import Foundation
import LiveKitProtocol
import RTC
import TestSupport

/// Seed inputs built with the project's own encoders and the provider wire fixtures of the tests:
/// valid messages a fuzzer then mutates. `steadfast-fuzz seed <dir>` writes them; `scripts/fuzz seed`
/// adds the SDP and YAML fixtures kept as text in the repository and merges them into `Fuzz/corpus`.
public enum FuzzSeeds {
    public static func all() -> [FuzzTarget: [(name: String, bytes: [UInt8])]] {
        var seeds: [FuzzTarget: [(String, [UInt8])]] = [:]
        seeds[.stun] = stun()
        seeds[.rtp] = rtp()
        seeds[.rtcp] = rtcp()
        seeds[.dtls] = dtls()
        seeds[.sctp] = SCTPTargets.seeds()
        seeds[.sse] = providerStreams().map { ($0.name, [0x07] + $0.bytes) }
        seeds[.openai] = providerStreams(prefix: "openai").map { ($0.name, [0x54] + $0.bytes) }
        seeds[.anthropic] = providerStreams(prefix: "anthropic").map { ($0.name, [0x54] + $0.bytes) }
        seeds[.gemini] = providerStreams(prefix: "gemini").map { ($0.name, [0x54] + $0.bytes) }
        seeds[.toolArguments] = [
            #"{"location":"Paris","days":3,"units":["c"],"detailed":true,"threshold":0.5}"#,
            #"{"location":"Zürich \u00e9\ud83d\ude00"}"#, "{}", "[1,2,3]", #"{"a":{"b":[null,1e308,-0.0]}}"#,
        ].enumerated().map { ("args-\($0.offset)", Array($0.element.utf8)) }
        seeds[.livekitSignal] = signal()
        seeds[.livekitWorker] = worker()
        seeds[.jwtClaims] = claims()
        seeds[.jwt] = tokens()
        seeds[.wav] = wav()
        return seeds
    }

    // MARK: Media

    private static func stun() -> [(String, [UInt8])] {
        let key = Array("fuzz-ice-password-0123".utf8)
        let address = TransportAddress(host: "192.0.2.7", port: 50_000)!
        let address6 = TransportAddress(host: "2001:db8::7", port: 3478)!
        let request = STUNMessage(messageClass: .request, attributes: [
            .username("remote:local"), .priority(1_853_824_767), .iceControlling(0x0123_4567_89AB_CDEF), .useCandidate,
        ])
        let success = STUNMessage(messageClass: .successResponse, transactionID: request.transactionID,
                                  attributes: [.xorMappedAddress(address), .xorMappedAddress(address6)])
        let failure = STUNMessage(messageClass: .errorResponse, transactionID: request.transactionID,
                                  attributes: [.errorCode(code: 487, reason: "Role Conflict"), .software("steadfast")])
        let indication = STUNMessage(messageClass: .indication, attributes: [.mappedAddress(address),
                                                                              .unknown(type: 0x8029, value: [1, 2, 3])])
        return [
            ("binding-request", try! request.encoded(integrityKey: key, fingerprint: true)),
            ("binding-request-plain", try! request.encoded()),
            ("success", try! success.encoded(integrityKey: key, fingerprint: true)),
            ("error", try! failure.encoded(integrityKey: key)),
            ("indication", try! indication.encoded(fingerprint: true)),
        ]
    }

    private static func rtpPackets() -> [[UInt8]] {
        let map = RTPHeaderExtensionMap([(1, RTPHeaderExtensionMap.audioLevelURI),
                                         (3, RTPHeaderExtensionMap.absoluteCaptureTimeURI),
                                         (4, RTPHeaderExtensionMap.midURI)])
        var packets: [[UInt8]] = []
        let payload = [UInt8](repeating: 0xFC, count: 40)
        for (index, sequence) in [UInt16(65_533), 65_534, 65_535, 0, 2, 1, 5].enumerated() {
            var elements: [RTPHeaderExtensionElement] = []
            if let mid = RTPHeaderExtensionElement.mid("0", using: map) { elements.append(mid) }
            if let level = RTPHeaderExtensionElement.audioLevel(RTPAudioLevel(voiceActivity: true, level: 30), using: map) {
                elements.append(level)
            }
            if index == 3, let time = RTPHeaderExtensionElement.absoluteCaptureTime(
                RTPAbsoluteCaptureTime(captureTimestamp: 0x1234_5678_9ABC, estimatedCaptureClockOffset: -5), using: map) {
                elements.append(time)
            }
            let extensions = (try? RTPHeaderExtensions(elements: elements, form: index == 5 ? .twoByte : nil)) ?? .none
            let header = RTPHeader(marker: index == 0, payloadType: 111, sequenceNumber: sequence,
                                   timestamp: 960 &* UInt32(sequence), ssrc: 0xDEAD_BEEF,
                                   csrcs: index == 4 ? [1, 2] : [], extensions: extensions)
            packets.append(try! RTPPacket(header: header, payload: payload, paddingLength: index == 2 ? 4 : 0).serialized())
        }
        return packets
    }

    private static func rtp() -> [(String, [UInt8])] {
        let packets = rtpPackets()
        var seeds = packets.enumerated().map { ("packet-\($0.offset)", $0.element) }
        // A sequence: each packet behind an op byte (clock step), with a pop every other packet.
        var sequence: [UInt8] = []
        for (index, packet) in packets.enumerated() {
            sequence += [UInt8(index % 4)] + FuzzInput.frame(packet)
            if index % 2 == 1 { sequence.append(0x84) }
        }
        seeds.append(("sequence", sequence + [0x8F, 0x8F]))
        return seeds
    }

    private static func rtcp() -> [(String, [UInt8])] {
        let block = RTCPReportBlock(ssrc: 0xDEAD_BEEF, fractionLost: 12, cumulativeLost: -3,
                                    extendedHighestSequenceNumber: 0x1_0005, jitter: 40,
                                    lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 6554)
        let sr = RTCPPacket.senderReport(RTCPSenderReport(
            ssrc: 1, ntpTimestamp: NTPTimestamp(unixSeconds: 1_735_689_600.25), rtpTimestamp: 48_000,
            packetCount: 50, octetCount: 4000, reportBlocks: [block]))
        let sdes = RTCPPacket.sourceDescription(RTCPSourceDescription(chunks: [.init(ssrc: 1, cname: "steadfast-fuzz")]))
        let rr = RTCPPacket.receiverReport(RTCPReceiverReport(ssrc: 2, reportBlocks: [block, block]))
        let bye = RTCPPacket.goodbye(RTCPGoodbye(ssrcs: [1, 2], reason: "done"))
        let nack = RTCPPacket.genericNACK(RTCPGenericNACK(senderSSRC: 2, mediaSSRC: 1, lostSequenceNumbers: [5, 6, 9, 40]))
        return [
            ("sr-sdes", RTCPPacket.serializeCompound([sr, sdes])),
            ("rr-sdes-bye", RTCPPacket.serializeCompound([rr, sdes, bye])),
            ("rr-nack", RTCPPacket.serializeCompound([rr, nack])),
        ]
    }

    /// A real handshake between two transports; the server-side seed is the client's datagrams,
    /// the client-side seed the server's.
    private static func dtls() -> [(String, [UInt8])] {
        guard let clientCertificate = try? DTLSCertificate(), let serverCertificate = try? DTLSCertificate(),
              let client = try? DTLSTransport(role: .client, certificate: clientCertificate,
                                              remoteFingerprint: serverCertificate.fingerprint),
              let server = try? DTLSTransport(role: .server, certificate: serverCertificate,
                                              remoteFingerprint: clientCertificate.fingerprint)
        else { return [] }
        var fromClient: [[UInt8]] = []
        var fromServer: [[UInt8]] = []
        let now = ContinuousClock.Instant.now
        client.start(now: now)
        server.start(now: now)
        func pump(_ transport: DTLSTransport) -> [[UInt8]] {
            var sent: [[UInt8]] = []
            while let output = transport.pollOutput() {
                if case .transmit(let datagram) = output { sent.append(datagram) }
                if case .timeout = output { break }
            }
            return sent
        }
        for _ in 0..<8 {
            let c = pump(client)
            fromClient += c
            for datagram in c { server.handle(.datagram(datagram), now: now) }
            let s = pump(server)
            fromServer += s
            for datagram in s { client.handle(.datagram(datagram), now: now) }
        }
        try? client.send(Array("hello over dtls".utf8))
        let data = pump(client)
        fromClient += data
        return [
            ("server-role", [0x00] + (fromClient).flatMap(FuzzInput.frame)),
            ("client-role", [0x01] + fromServer.flatMap(FuzzInput.frame)),
        ]
    }

    // MARK: Providers

    private static func providerStreams(prefix: String? = nil) -> [(name: String, bytes: [UInt8])] {
        let calls = [ProviderWireFixtures.ToolCallSpec(id: "call_1", name: "get_weather",
                                                       argumentFragments: [#"{"ci"#, #"ty":"Pa"#, #"ris"}"#])]
        let all: [(String, String)] = [
            ("openai-text", ProviderWireFixtures.openAIText(["Hello", " there, ünïcode 😀"], cost: 0.0001, openRouterComments: true)),
            ("openai-tools", ProviderWireFixtures.openAIToolCalls(calls)),
            ("openai-tools-noindex", ProviderWireFixtures.openAIToolCalls(calls, includeIndex: false)),
            ("openai-error", ProviderWireFixtures.openAIMidStreamError(textBefore: ["Hi"])),
            ("anthropic-text", ProviderWireFixtures.anthropicText(["Hello", " there"])),
            ("anthropic-tools", ProviderWireFixtures.anthropicToolUse(name: "get_weather", jsonFragments: [#"{"city""#, #":"Paris"}"#])),
            ("anthropic-overloaded", ProviderWireFixtures.anthropicOverloaded()),
            ("gemini-text", ProviderWireFixtures.geminiText(["Hello", " there"])),
            ("gemini-call", ProviderWireFixtures.geminiFunctionCall(name: "get_weather", argsJSON: #"{"city":"Paris"}"#)),
            ("gemini-error", ProviderWireFixtures.geminiErrorFrame()),
        ]
        return all.filter { prefix == nil || $0.0.hasPrefix(prefix!) }.map { ($0.0, Array($0.1.utf8)) }
    }

    // MARK: LiveKit

    private static func signalFrame(_ message: Livekit_SignalResponse.OneOf_Message) -> [UInt8] {
        var response = Livekit_SignalResponse()
        response.message = message
        return FuzzInput.frame(Array((try? response.serializedData()) ?? Data()))
    }

    private static func participant(_ sid: String, version: UInt32, state: Livekit_ParticipantInfo.State = .active)
        -> Livekit_ParticipantInfo {
        var info = Livekit_ParticipantInfo()
        info.sid = sid
        info.identity = "id-\(sid)"
        info.version = version
        info.state = state
        info.attributes = ["lk.agent.state": "listening"]
        return info
    }

    private static func signal() -> [(String, [UInt8])] {
        var join = Livekit_JoinResponse()
        join.room.name = "demo"
        join.participant = participant("PA_self", version: 1)
        join.otherParticipants = [participant("PA_caller", version: 1)]
        join.subscriberPrimary = true
        join.pingInterval = 5
        join.pingTimeout = 15
        var ice = Livekit_ICEServer()
        ice.urls = ["stun:stun.example.com:3478"]
        join.iceServers = [ice]
        join.serverInfo.version = "1.9.1"
        var offer = Livekit_SessionDescription()
        offer.type = "offer"
        offer.sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
        offer.id = 1
        var trickle = Livekit_TrickleRequest()
        trickle.candidateInit = #"{"candidate":"candidate:1 1 udp 2130706431 192.0.2.1 7882 typ host","sdpMid":"0","sdpMLineIndex":0}"#
        trickle.target = .subscriber
        var published = Livekit_TrackPublishedResponse()
        published.cid = "TR_local"
        published.track.sid = "TR_server"
        var update = Livekit_ParticipantUpdate()
        update.participants = [participant("PA_caller", version: 2), participant("PA_other", version: 1),
                               participant("PA_caller", version: 3, state: .disconnected)]
        var leave = Livekit_LeaveRequest()
        leave.reason = .roomDeleted
        leave.action = .disconnect
        var pong = Livekit_Pong()
        pong.lastPingTimestamp = 5
        var refused = Livekit_RequestResponse()
        refused.reason = .notAllowed
        refused.message = "no"
        let conversation = [0] + signalFrame(.join(join)) + [5] + [1] + signalFrame(.trackPublished(published))
            + [2] + signalFrame(.offer(offer)) + [3] + signalFrame(.trickle(trickle)) + [0] + signalFrame(.update(update))
            + [0x2C] + [0] + signalFrame(.pongResp(pong)) + [6] + [1] + signalFrame(.requestResponse(refused))
            + [0] + signalFrame(.refreshToken("token")) + [0xFC] + [0] + signalFrame(.leave(leave)) + [7]
        return [
            ("conversation", conversation),
            ("join-only", [0] + signalFrame(.join(join))),
            ("twice-joined-stale", [0] + signalFrame(.join(join)) + [0] + signalFrame(.join(join)) + [0x2C, 0xFC, 0xFC]),
        ]
    }

    private static func workerFrame(_ message: Livekit_ServerMessage.OneOf_Message) -> [UInt8] {
        var envelope = Livekit_ServerMessage()
        envelope.message = message
        return FuzzInput.frame(Array((try? envelope.serializedData()) ?? Data()))
    }

    private static func worker() -> [(String, [UInt8])] {
        var register = Livekit_RegisterWorkerResponse()
        register.workerID = "AW_fuzz"
        register.serverInfo.version = "1.9.1"
        var job = Livekit_Job()
        job.id = "AJ_1"
        job.room.name = "demo"
        job.type = .jtRoom
        job.metadata = #"{"k":"v"}"#
        var availability = Livekit_AvailabilityRequest()
        availability.job = job
        var assignment = Livekit_JobAssignment()
        assignment.job = job
        assignment.url = "wss://example.invalid"
        assignment.token = "token"
        var termination = Livekit_JobTermination()
        termination.jobID = "AJ_1"
        var goAway = Livekit_AgentHttp.GoAway()
        goAway.reason = "bye"
        let session = [0] + workerFrame(.register(register)) + [1] + workerFrame(.availability(availability)) + [5]
            + [2] + workerFrame(.assignment(assignment)) + [0x5C] + [3] + workerFrame(.termination(termination))
            + [0x0E] + [0] + workerFrame(.pong(Livekit_WorkerPong())) + [0x07]
        return [
            ("session", session),
            ("register-goaway", [0] + workerFrame(.register(register)) + [0] + workerFrame(.goAway(goAway)) + [0x5C, 0x5C]),
            ("offer-reject-drain", [0] + workerFrame(.register(register)) + [1] + workerFrame(.availability(availability))
                + [6, 7]),
        ]
    }

    private static func claims() -> [(String, [UInt8])] {
        let key = LiveKitTargets.apiKey
        return [
            #"{"iss":"\#(key)","sub":"agent","exp":1735693200,"nbf":1735689000,"iat":1735689000,"video":{"room":"demo","roomJoin":true,"canPublish":true,"canSubscribe":true},"name":"Agent","metadata":"{}","attributes":{"a":"b"},"kind":"agent","sip":{"admin":true}}"#,
            #"{"iss":"\#(key)","exp":1735693200.5,"video":{"roomAdmin":true,"roomList":true,"agent":true,"hidden":false,"canPublishSources":["microphone"]},"roomConfig":{"name":"x"},"sha256":"abc"}"#,
            #"{"iss":"\#(key)","exp":1e300,"nbf":-1e300}"#,
        ].enumerated().map { ("claims-\($0.offset)", Array($0.element.utf8)) }
    }

    private static func tokens() -> [(String, [UInt8])] {
        var token = AccessToken(apiKey: LiveKitTargets.apiKey, apiSecret: LiveKitTargets.apiSecret, identity: "agent")
        token.grants.name = "Agent"
        let jwt = (try? token.jwt(now: Date(timeIntervalSince1970: 1_735_689_600))) ?? ""
        let foreign = (try? AccessToken(apiKey: "other", apiSecret: "other-secret-0123456789abcdef0123").jwt()) ?? ""
        return [("valid", Array(jwt.utf8)), ("unknown-key", Array(foreign.utf8)),
                ("none-alg", Array("eyJhbGciOiJub25lIn0.eyJpc3MiOiJBUElmdXp6S2V5In0.".utf8))]
    }

    // MARK: Files

    private static func wav() -> [(String, [UInt8])] {
        let tone = (0..<480).map { Float(sin(Double($0) * 0.2)) * 0.5 }
        var seeds: [(String, [UInt8])] = []
        for (rate, channels) in [(16_000, 1), (48_000, 2)] {
            let frame = AudioFrame(floatSamples: tone, sampleRate: rate, channels: channels)
            seeds.append(("tone-\(rate)-\(channels)", WAVFile.encode(frame)))
        }
        return seeds
    }
}
