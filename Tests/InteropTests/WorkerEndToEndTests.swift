import Audio
import Foundation
import TestSupport
import Testing
import Transport

/// The whole product path: `steadfast dev` registers with a LiveKit-style server (a script built
/// on the official Python packages, with aiortc as the media side), is dispatched into room "demo",
/// joins it, hears the caller's spoken question, answers through STT → LLM → TTS (the local last
/// resorts: no keys here), and the server side records the agent's speech.
@Suite("Worker end to end (steadfast dev)", .serialized)
struct WorkerEndToEndTests {
    static let apiKey = "APIe2e"
    static let apiSecret = "e2e-secret-0123456789abcdef0123456789abcdef"

    @Test func aDispatchedAgentJoinsTheRoomAndAnswersTheCaller() async throws {
        let directory = try InteropPeers.workspace("e2e")
        // The caller: 6 s of quiet (the agent greets), the question, then quiet to let it answer.
        let questionPath = directory.appendingPathComponent("question-only.wav").path
        let spoken = try await Subprocess.run("/usr/bin/espeak-ng", ["-w", questionPath, "What is the weather in Paris?"])
        #expect(spoken.status == 0)
        let question = try Resampler.convert(try WAVFile.read(path: questionPath), to: 48_000)
        let caller = AudioFrame(samples: AudioFrame.silence(milliseconds: 6_000).samples + question.samples
                                    + AudioFrame.silence(milliseconds: 9_000).samples)
        let callerPath = directory.appendingPathComponent("caller.wav")
        try WAVFile.write(caller, to: callerPath)
        let recording = directory.appendingPathComponent("agent-heard.wav")

        let server = try PeerProcess(
            name: "livekit", executable: try InteropPython.interpreter(),
            arguments: [InteropPython.packageRoot.appendingPathComponent("Tests/Interop/peers/livekit_room_server.py").path,
                        Self.apiKey, Self.apiSecret, "--dispatch", "--send", callerPath.path, "--record", recording.path,
                        "--duration", "16"],
            directory: directory)
        defer { server.terminate() }
        let port = try #require(try await server.readMessage(timeout: .seconds(30))["port"] as? Int)

        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: try InteropPeers.steadfast())
        let httpPort = Int.random(in: 20_000..<40_000)
        worker.arguments = ["dev", "--rtc-host", "127.0.0.1", "--http-port", "\(httpPort)", "--agents-directory",
                            InteropPython.packageRoot.appendingPathComponent("agents").path]
        worker.environment = ["PATH": "/usr/bin:/bin", "LIVEKIT_URL": "http://127.0.0.1:\(port)",
                              "LIVEKIT_API_KEY": Self.apiKey, "LIVEKIT_API_SECRET": Self.apiSecret]
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
        #expect(log.contains("User said: "), "a user turn was heard; log:\n\(log.suffix(2_000))")
        #expect(log.contains("Agent said: "))
        // lk.agent.state, as LiveKit frontends read it, went through the turn.
        let states = try #require(result["agent_states"] as? [String])
        #expect(states.contains("listening") && states.contains("thinking") && states.contains("speaking"), "\(states)")

        // What the room heard from the agent: the greeting and an answer, as speech.
        let heard = try WAVFile.read(path: recording.path).mixedToMono()
        let speech = try Self.speechSeconds(in: try Resampler.convert(heard, to: 48_000))
        #expect(speech > 4, "the agent spoke for \(speech) s")
    }

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
