import Audio
import Foundation
import TestSupport
import Testing
import Transport

/// The whole product path: `steadfast dev` registers with a LiveKit-style server (a script built
/// on the official Python packages, with aiortc as the media side), is dispatched into room "demo",
/// joins it, greets, hears the caller's spoken question, answers through STT → LLM → TTS, and the
/// server side records the agent's speech with its arrival times.
///
/// STT and TTS are the local last resorts (no keys). The LLM is a scripted OpenRouter server that
/// answers with a word made up for this run, so the answer can be told from the greeting: its text
/// carries the word, and its speech arrives after the caller's question has ended.
///
/// The room's data plane too (issue 11): later the caller types a question on `lk.chat` and calls
/// the agent's RPC method `steadfast.provider_status`; the server records the transcripts on
/// `lk.transcription` in arrival order, the RPC answer and the provider the agent published.
@Suite("Worker end to end (steadfast dev)", .serialized, .timeLimit(.minutes(3)))
struct WorkerEndToEndTests {
    static let apiKey = "APIe2e"
    static let apiSecret = "e2e-secret-0123456789abcdef0123456789abcdef"
    /// The caller's audio: this much quiet (the agent greets), the question, then quiet to let it answer.
    static let quietBeforeQuestion = 6.0

    @Test func aDispatchedAgentJoinsTheRoomAndAnswersTheCaller() async throws {
        let directory = try InteropPeers.workspace("e2e")
        let questionPath = directory.appendingPathComponent("question-only.wav").path
        let spoken = try await Subprocess.run("/usr/bin/espeak-ng", ["-w", questionPath, "What is the weather in Paris?"])
        #expect(spoken.status == 0)
        let question = try Resampler.convert(try WAVFile.read(path: questionPath), to: 48_000)
        let questionSeconds = Double(question.samples.count) / 48_000
        let caller = AudioFrame(samples: AudioFrame.silence(milliseconds: Int(Self.quietBeforeQuestion * 1_000)).samples
                                    + question.samples + AudioFrame.silence(milliseconds: 9_000).samples)
        let callerPath = directory.appendingPathComponent("caller.wav")
        try WAVFile.write(caller, to: callerPath)
        let recording = directory.appendingPathComponent("agent-heard.wav")

        let token = RunToken()
        let answer = "The word for this call is \(token.word). Once more, \(token.word)."
        // The typed question names one word; only a model that got it answers with the other.
        let typed = RunToken(), typedAnswer = RunToken()
        let chat = "Please answer the typed question \(typed.word)."
        let llm = try ScriptedHTTPServer { request in
            guard request.path.hasSuffix("/chat/completions") else { return .json(status: 404, #"{"error":"not here"}"#) }
            let reply = request.bodyText.contains(typed.word) ? "Typed answer \(typedAnswer.word)." : answer
            return ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText([reply])))
        }
        defer { llm.stop() }

        let server = try PeerProcess(
            name: "livekit", executable: try InteropPython.interpreter(),
            arguments: [InteropPython.packageRoot.appendingPathComponent("Tests/Interop/peers/livekit_room_server.py").path,
                        Self.apiKey, Self.apiSecret, "--dispatch", "--send", callerPath.path, "--record", recording.path,
                        "--duration", "22", "--rpc", "steadfast.provider_status", "--rpc-at", "12",
                        "--chat", chat, "--chat-at", "14"],
            directory: directory)
        defer { server.terminate() }
        let port = try #require(try await server.readMessage(timeout: .seconds(30))["port"] as? Int)

        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: try InteropPeers.steadfast())
        let httpPort = try LoopbackPort.unused()
        worker.arguments = ["dev", "--rtc-host", "127.0.0.1", "--http-port", "\(httpPort)", "--agents-directory",
                            InteropPython.packageRoot.appendingPathComponent("agents").path]
        // OpenRouter serves only the LLM chain, so STT and TTS stay local.
        worker.environment = ["PATH": "/usr/bin:/bin", "LIVEKIT_URL": "http://127.0.0.1:\(port)",
                              "LIVEKIT_API_KEY": Self.apiKey, "LIVEKIT_API_SECRET": Self.apiSecret,
                              "OPENROUTER_API_KEY": "sk-or-v1-e2e0123456789abcdef0123456789abcdef",
                              "OPENROUTER_BASE_URL": llm.baseURL.absoluteString + "/api/v1"]
        worker.currentDirectoryURL = directory
        let workerLog = directory.appendingPathComponent("steadfast.log")
        _ = FileManager.default.createFile(atPath: workerLog.path, contents: nil)
        worker.standardError = try FileHandle(forWritingTo: workerLog)
        worker.standardOutput = FileHandle.nullDevice
        try worker.run()
        defer { if worker.isRunning { worker.terminate() } }

        let result = try #require(try await server.readMessage(timeout: .seconds(60))["result"] as? [String: Any])
        // The worker's own HTTP server, as a pod's probes and an operator see it.
        let client = try CurlHTTPClient()
        let health = try await client.send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(httpPort)/health")!))
        #expect(health.head.status == 200)
        let info = try await client.send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(httpPort)/worker")!))
        let workerInfo = try JSONSerialization.jsonObject(with: Data(try await info.collectBody())) as? [String: Any]
        #expect(workerInfo?["worker_id"] as? String == "AW_room")
        #expect(workerInfo?["active_jobs"] as? Int == 0, "the job has ended")
        let status = try await client.send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(httpPort)/status")!))
        let chains = (try JSONSerialization.jsonObject(with: Data(try await status.collectBody())) as? [String: Any])?["chains"]
        #expect((chains as? [[String: Any]])?.map { $0["kind"] as? String } == ["LLM", "STT", "TTS"])
        worker.terminate()  // SIGTERM: the worker drains and exits
        let log = (try? String(contentsOf: workerLog, encoding: .utf8)) ?? ""

        #expect(result["worker"] != nil, "the worker registered; log:\n\(log.suffix(2_000))")
        #expect(result["token_identity"] as? String == "agent-AJ_room", "the job's token (minted by livekit-api) joined the room")
        #expect(result["job_updates"] as? [String] == ["JS_RUNNING", "JS_SUCCESS"], "\(result)")
        #expect((result["errors"] as? [Any])?.isEmpty == true, "\(result["errors"] ?? "")")
        // lk.agent.state, as LiveKit frontends read it, went through the turn.
        let states = try #require(result["agent_states"] as? [String])
        #expect(states.contains("listening") && states.contains("thinking") && states.contains("speaking"), "\(states)")

        // What the room heard from the agent, on the server's clock: the greeting before the caller
        // spoke, and speech after the question ended (the answer).
        let started = try #require((result["caller_audio_started"] as? NSNumber)?.doubleValue, "the caller's audio never left")
        let questionEnded = started + Self.quietBeforeQuestion + questionSeconds
        let frames = ((result["agent_audio"] as? [[Any]]) ?? []).map { $0.compactMap { ($0 as? NSNumber)?.doubleValue } }
        // [arrival, rms, seconds] per frame the server received from the agent.
        let speech = frames.filter { $0.count == 3 && $0[1] > Self.speechRMS }
        let before = speech.filter { $0[0] < started + Self.quietBeforeQuestion }.reduce(0) { $0 + $1[2] }
        let after = speech.filter { $0[0] > questionEnded }.reduce(0) { $0 + $1[2] }
        #expect(before > 2, "the greeting: \(before) s of agent speech before the question")
        #expect(after > 2, "the answer: \(after) s of agent speech after the question ended at \(questionEnded) s")
        // The recording (what aiortc decoded) holds both.
        let heard = try WAVFile.read(path: recording.path).mixedToMono()
        let recorded = try Self.speechSeconds(in: try Resampler.convert(heard, to: 48_000))
        #expect(recorded > before + 1, "the recording holds \(recorded) s of agent speech")

        // The question was heard, reached the model, and the model's answer (not the greeting) was said.
        let heardLine = try #require(log.split(separator: "\n").first { $0.contains("User said: ") },
                                     "a user turn was heard; log:\n\(log.suffix(2_000))")
        let heardText = heardLine.components(separatedBy: "User said: ").last ?? ""
        #expect(llm.requests.contains { $0.bodyText.contains(heardText) }, "the transcript \"\(heardText)\" reached the LLM")
        let saidLines = log.split(separator: "\n").filter { $0.contains("Agent said: ") }
        #expect(saidLines.contains { $0.contains(token.word) }, "the answer carries \(token); said: \(saidLines)")

        // The data plane. Transcripts on lk.transcription, in the order the room got them: the
        // greeting, the caller's question (sent on the caller's behalf, tied to their track), the
        // spoken answer, then the answer to the typed question — which only the chat could cause.
        #expect((result["data_errors"] as? [Any])?.isEmpty == true, "\(result["data_errors"] ?? "")")
        let streams = ((result["text_streams"] as? [[String: Any]]) ?? []).filter { $0["topic"] as? String == "lk.transcription" }
        let finals = streams.filter { ($0["attributes"] as? [String: String])?["lk.transcription_final"] == "true" }
        let lines = finals.map { "\($0["sender"] as? String ?? "?"): \($0["text"] as? String ?? "")" }
        let userLine = finals.firstIndex { $0["sender"] as? String == "caller" && ($0["text"] as? String)?.contains(heardText) == true }
        let answerLine = finals.firstIndex { $0["sender"] as? String == "agent-AJ_room" && ($0["text"] as? String)?.contains(token.word) == true }
        let typedLine = finals.firstIndex { $0["sender"] as? String == "agent-AJ_room" && ($0["text"] as? String)?.contains(typedAnswer.word) == true }
        #expect(finals.first?["sender"] as? String == "agent-AJ_room", "the greeting comes first: \(lines)")
        #expect(userLine != nil && answerLine != nil && typedLine != nil, "transcripts: \(lines)")
        if let userLine, let answerLine, let typedLine { #expect(userLine < answerLine && answerLine < typedLine, "\(lines)") }
        if let userLine {
            #expect((finals[userLine]["attributes"] as? [String: String])?["lk.transcribed_track_id"] == "TR_caller", "\(finals[userLine])")
        }
        if let answerLine {
            let attributes = finals[answerLine]["attributes"] as? [String: String]
            #expect(attributes?["lk.transcribed_track_id"] == "TR_agent" && attributes?["lk.segment_id"]?.hasPrefix("SG_") == true)
        }
        #expect(llm.requests.contains { $0.bodyText.contains(typed.word) }, "the typed question reached the model")
        // RPC: the caller asked the agent for its providers' status.
        let rpc = try #require(result["rpc_response"] as? [String: Any], "no RPC answer: \(result["rpc_requests"] ?? "")")
        let payload = try #require(rpc["payload"] as? String, "\(rpc)")
        let rpcChains = (try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])?["chains"] as? [[String: Any]]
        #expect(rpcChains?.map { $0["kind"] as? String } == ["LLM", "STT", "TTS"], "\(payload)")
        // Which provider served the turns: a participant attribute and one record per turn.
        let attributes = result["attributes"] as? [String: String]
        #expect(attributes?["steadfast.llm_provider"]?.isEmpty == false, "\(attributes ?? [:])")
        let turns = ((result["user_packets"] as? [[String: Any]]) ?? []).filter { $0["topic"] as? String == "steadfast.turn" }
        #expect(turns.count >= 2, "a steadfast.turn record per answered turn: \(turns)")
    }

    /// A 20 ms frame of agent audio louder than this (16-bit RMS) is speech, not silence or comfort noise.
    static let speechRMS = 300.0

    /// Seconds of speech the VAD finds in `audio`.
    static func speechSeconds(in audio: AudioFrame) throws -> Double {
        var vad = try VoiceActivityDetector()
        var total = 0.0
        for frame in audio.chunked(milliseconds: 20) {
            var event = try vad.process(frame)
            while let current = event {
                if case .speechEnded(_, let duration) = current { total += Double(duration.components.seconds)
                    + Double(duration.components.attoseconds) / 1e18 }
                event = vad.pollEvent()
            }
        }
        if case .speechEnded(_, let duration)? = vad.finish() {
            total += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        return total
    }
}
