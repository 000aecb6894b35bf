import Foundation
import TestSupport
import Testing

/// `steadfast console` end to end: text over piped stdin, and speech from a WAV file.
@Suite("steadfast console", .timeLimit(.minutes(5)))
struct ConsoleCLITests {
    static let openAIKey = "sk-test-console-0123456789abcdef01"
    static let groqKey = "gsk_test_console_0123456789abcdef02"

    /// The headline: the caller asks for another model and the next answer comes from it.
    /// The start-up model check asks each provider's `GET …/models` first (issue 18): one
    /// OpenAI-format list naming the configured model.
    static func modelList(_ id: String) -> ScriptedResponse {
        .json(status: 200, #"{"object":"list","data":[{"id":"\#(id)","object":"model","created":1764000000,"owned_by":"x"}]}"#)
    }

    @Test func textChatSwitchesTheModelByAskingAndTheNextAnswerComesFromIt() async throws {
        let openai = try ScriptedHTTPServer(responses: [
            Self.modelList("gpt-6-luna"),
            ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIToolCalls([
                .init(id: "call_s1", name: "switchModel", argumentFragments: [#"{"model":"#, #""groq"}"#]),
            ]))),
        ])
        let groq = try ScriptedHTTPServer(responses: [
            Self.modelList("openai/gpt-oss-20b"),
            ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(["Done, Groq answers from now on."]))),
            ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(["Groq", " here."]))),
        ])
        defer { openai.stop(); groq.stop() }
        let result = try await SteadfastCLITests.run(["console", "--text"], env: [
            "OPENAI_API_KEY": Self.openAIKey, "OPENAI_BASE_URL": openai.baseURL.absoluteString + "/v1",
            "GROQ_API_KEY": Self.groqKey, "GROQ_BASE_URL": groq.baseURL.absoluteString + "/openai/v1",
        ], input: "please switch to groq\nwho are you?\n")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("agent> Hi, I'm Steadfast"), "the greeting comes first: \(result.stdout)")
        #expect(result.stdout.contains("⚙ switchModel({\"model\":\"groq\"})"))
        #expect(result.stdout.contains("agent> Done, Groq answers from now on."))
        #expect(result.stdout.contains("agent> Groq here."))
        #expect(result.stdout.contains("served via groq"))
        // Server side: OpenAI chose the tool; from the very next LLM call (the confirmation in the
        // same turn) Groq answers, and it answers the next turn too.
        let openAIChats = openai.requests.filter { $0.path.hasSuffix("/chat/completions") }
        let groqChats = groq.requests.filter { $0.path.hasSuffix("/chat/completions") }
        #expect(openai.requests.first?.path.hasSuffix("/models") == true, "the start-up check looked the model up")
        #expect(openAIChats.count == 1)
        #expect(groqChats.count == 2)
        #expect(groqChats.first?.bodyText.contains("Switched to Groq") == true, "the tool result reached Groq")
        #expect(groqChats.last?.bodyText.contains("who are you?") == true)
        #expect(!result.stdout.contains(Self.openAIKey) && !result.stderr.contains(Self.groqKey))
    }

    @Test func textChatWithoutKeysIsAnsweredLocally() async throws {
        let result = try await SteadfastCLITests.run(["console", "--text"], input: "hello\n")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("you> hello"))
        // The canned reply to a first greeting, after the user's line (the agent's own greeting differs).
        #expect(Self.agentLines(afterUserIn: result.stdout).first?.hasPrefix(
            "agent> Hello! I can hear you, but my language service is having trouble") == true, "\(result.stdout)")
        #expect(result.stdout.contains("served via local"))
    }

    /// The README's run command in miniature: espeak-ng speaks a question, the console answers in a WAV.
    /// The LLM is a scripted OpenRouter server (STT and TTS stay local) answering with a word made up
    /// for this run, so the answer is told from the greeting by its text and by its length in reply.wav.
    @Test func speechFromAFileIsAnsweredWithSpeechInAFile() async throws {
        let token = RunToken()
        let openrouter = try Self.llmServer(answering: "The word for this call is \(token.word). Once more, \(token.word).")
        defer { openrouter.stop() }
        let env = ["OPENROUTER_API_KEY": "sk-or-v1-console0123456789abcdef0123456789",
                   "OPENROUTER_BASE_URL": openrouter.baseURL.absoluteString + "/api/v1"]
        let (question, reply, directory) = try await Self.spokenQuestion()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await SteadfastCLITests.run(["console", "--in", question, "--out", reply, "--transcript"], env: env)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("agent> Hi, I'm Steadfast"), "the greeting comes first: \(result.stdout)")
        let heard = result.stdout.split(separator: "\n").first { $0.hasPrefix("you> ") }?.dropFirst(5)
        #expect(heard != nil, "a user turn was heard: \(result.stdout)")
        #expect(heard.map { openrouter.requests.last?.bodyText.contains($0) == true } != false,
                "the transcript \"\(heard ?? "")\" reached the LLM")
        #expect(Self.agentLines(afterUserIn: result.stdout).contains { $0.contains(token.word) },
                "the model's answer (\(token)) follows the question: \(result.stdout)")
        // The answer was spoken too: reply.wav is longer than the greeting alone, as the same
        // configuration writes it for a file with no question in it.
        let greeting = try await Self.greetingOnlySeconds(env: env, directory: directory)
        let spoken = try Self.wavSeconds(reply)
        #expect(spoken > greeting + 1.5, "reply.wav: \(spoken) s; the greeting alone: \(greeting) s")
    }

    /// Speech through cloud providers when their keys are set: OpenAI transcribes, answers and
    /// speaks (the request paths prove which chain member served each step).
    @Test func speechUsesTheCloudProvidersWhoseKeysAreSet() async throws {
        // Half a second of a 24 kHz tone, as OpenAI's `pcm` format delivers it.
        let pcm: [UInt8] = (0..<12_000).flatMap { index -> [UInt8] in
            let bits = UInt16(bitPattern: Int16(6_000 * sin(2 * Double.pi * 300 * Double(index) / 24_000)))
            return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
        }
        let openai = try ScriptedHTTPServer { request in
            if request.path.hasSuffix("/audio/transcriptions") {
                return .json(#"{"text":"what is the weather in Paris"}"#)
            }
            if request.path.hasSuffix("/audio/speech") {
                return ScriptedResponse([.head(status: 200, headers: [("Content-Type", "application/octet-stream")]),
                                         .body(pcm)])
            }
            return ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(["It is sunny in Paris."])))
        }
        defer { openai.stop() }
        let (question, reply, directory) = try await Self.spokenQuestion()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await SteadfastCLITests.run(["console", "--in", question, "--out", reply, "--transcript"], env: [
            "OPENAI_API_KEY": Self.openAIKey, "OPENAI_BASE_URL": openai.baseURL.absoluteString + "/v1",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("you> what is the weather in Paris"), "\(result.stdout)")
        #expect(result.stdout.contains("agent> It is sunny in Paris."))
        let paths = openai.requests.map(\.path)
        #expect(paths.filter { $0.hasSuffix("/audio/transcriptions") }.count == 1)
        #expect(paths.filter { $0.hasSuffix("/chat/completions") }.count == 1)
        #expect(paths.filter { $0.hasSuffix("/audio/speech") }.count >= 2, "greeting and answer spoken by OpenAI: \(paths)")
        #expect(!result.stdout.contains(Self.openAIKey) && !result.stderr.contains(Self.openAIKey))
    }

    /// Every cloud speech call fails: the local engines take over and the caller still hears an answer.
    @Test func speechFallsBackToTheLocalEnginesWhenTheCloudFails() async throws {
        let token = RunToken()
        let openai = try ScriptedHTTPServer { request in
            if request.path.contains("/audio/") {
                return .json(status: 503, #"{"error":{"message":"overloaded","type":"server_error"}}"#)
            }
            return ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(
                ["Still here, and the word is \(token.word)."])))
        }
        defer { openai.stop() }
        let (question, reply, directory) = try await Self.spokenQuestion()
        defer { try? FileManager.default.removeItem(at: directory) }
        let env = ["OPENAI_API_KEY": Self.openAIKey, "OPENAI_BASE_URL": openai.baseURL.absoluteString + "/v1"]
        let result = try await SteadfastCLITests.run(["console", "--in", question, "--out", reply, "--transcript"], env: env)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(Self.agentLines(afterUserIn: result.stdout).first == "agent> Still here, and the word is \(token.word).",
                "\(result.stdout)")
        #expect(openai.requests.contains { $0.path.hasSuffix("/audio/transcriptions") }, "OpenAI was tried first")
        #expect(openai.requests.contains { $0.path.hasSuffix("/audio/speech") }, "OpenAI was asked to speak first")
        // espeak spoke the answer as well as the greeting.
        let greeting = try await Self.greetingOnlySeconds(env: env, directory: directory)
        let spoken = try Self.wavSeconds(reply)
        #expect(spoken > greeting + 1, "reply.wav: \(spoken) s; the greeting alone: \(greeting) s")
    }

    /// espeak-ng speaks a question into a fresh directory; returns the question and reply paths.
    static func spokenQuestion() async throws -> (question: String, reply: String, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let question = directory.appendingPathComponent("question.wav").path
        let spoken = try await Subprocess.run("/usr/bin/espeak-ng", ["-w", question, "What is the weather in Paris?"])
        #expect(spoken.status == 0, "espeak-ng: \(spoken.stderr)")
        return (question, directory.appendingPathComponent("reply.wav").path, directory)
    }

    /// An OpenAI-wire server whose every chat completion is `answer`; other paths get a 404.
    static func llmServer(answering answer: String) throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer { request in
            guard request.path.hasSuffix("/chat/completions") else { return .json(status: 404, #"{"error":"not here"}"#) }
            return ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText([answer])))
        }
    }

    /// The `agent> ` lines printed after the first `you> ` line: replies, never the greeting.
    static func agentLines(afterUserIn stdout: String) -> [String] {
        let lines = stdout.split(separator: "\n").map(String.init)
        guard let user = lines.firstIndex(where: { $0.hasPrefix("you> ") }) else { return [] }
        return lines[(user + 1)...].filter { $0.hasPrefix("agent> ") }
    }

    /// How long reply.wav is when the console, with `env`, is given two seconds of silence: the
    /// greeting alone.
    static func greetingOnlySeconds(env: [String: String], directory: URL) async throws -> Double {
        let silence = directory.appendingPathComponent("silence.wav").path
        try (Self.wavHeader(sampleRate: 16_000, dataBytes: 64_000) + Data(count: 64_000))
            .write(to: URL(fileURLWithPath: silence))
        let greeting = directory.appendingPathComponent("greeting.wav").path
        let result = try await SteadfastCLITests.run(["console", "--in", silence, "--out", greeting, "--transcript"], env: env)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("you> "), "silence is not a question: \(result.stdout)")
        return try Self.wavSeconds(greeting)
    }

    /// A canonical 44-byte header for 16-bit mono PCM.
    static func wavHeader(sampleRate: Int, dataBytes: Int) -> Data {
        func le(_ value: Int, _ bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        return Data(Array("RIFF".utf8) + le(36 + dataBytes, 4) + Array("WAVEfmt ".utf8) + le(16, 4) + le(1, 2) + le(1, 2)
                    + le(sampleRate, 4) + le(sampleRate * 2, 4) + le(2, 2) + le(16, 2) + Array("data".utf8) + le(dataBytes, 4))
    }

    /// The duration of a PCM WAV file, from its `fmt ` and `data` chunks.
    static func wavSeconds(_ path: String) throws -> Double {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func le(_ at: Int, _ count: Int) -> Int { (0..<count).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        var offset = 12
        var bytesPerSecond = 0
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self), size = le(offset + 4, 4)
            if id == "fmt " && offset + 20 <= bytes.count { bytesPerSecond = le(offset + 16, 4) }
            if id == "data" && bytesPerSecond > 0 { return Double(min(size, bytes.count - offset - 8)) / Double(bytesPerSecond) }
            offset += 8 + size + size % 2
        }
        throw InteropPython.Missing(description: "\(path) is not a PCM WAV file (\(bytes.count) bytes)")
    }

    @Test func consoleNeedsAModeAndNamesUnknownAgents() async throws {
        let noMode = try await SteadfastCLITests.run(["console"])
        #expect(noMode.status != 0)
        #expect(noMode.stderr.contains("--text"))
        let unknown = try await SteadfastCLITests.run(["console", "--text", "--agent", "nobody"], input: "hi\n")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("there is no agent called \"nobody\""))
    }
}
