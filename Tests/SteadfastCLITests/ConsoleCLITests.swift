import Foundation
import TestSupport
import Testing

/// `steadfast console` end to end: text over piped stdin, and speech from a WAV file.
@Suite("steadfast console")
struct ConsoleCLITests {
    static let openAIKey = "sk-test-console-0123456789abcdef01"
    static let groqKey = "gsk_test_console_0123456789abcdef02"

    /// The headline: the caller asks for another model and the next answer comes from it.
    @Test func textChatSwitchesTheModelByAskingAndTheNextAnswerComesFromIt() async throws {
        let openai = try ScriptedHTTPServer(responses: [
            ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIToolCalls([
                .init(id: "call_s1", name: "switchModel", argumentFragments: [#"{"model":"#, #""groq"}"#]),
            ]))),
        ])
        let groq = try ScriptedHTTPServer(responses: [
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
        #expect(openai.requests.count == 1)
        #expect(groq.requests.count == 2)
        #expect(groq.requests.first?.bodyText.contains("Switched to Groq") == true, "the tool result reached Groq")
        #expect(groq.requests.last?.bodyText.contains("who are you?") == true)
        #expect(!result.stdout.contains(Self.openAIKey) && !result.stderr.contains(Self.groqKey))
    }

    @Test func textChatWithoutKeysIsAnsweredLocally() async throws {
        let result = try await SteadfastCLITests.run(["console", "--text"], input: "hello\n")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("you> hello"))
        #expect(result.stdout.contains("served via local"))
    }

    /// The README's run command in miniature: espeak-ng speaks a question, the console answers in a WAV.
    @Test func speechFromAFileIsAnsweredWithSpeechInAFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let question = directory.appendingPathComponent("question.wav").path
        let reply = directory.appendingPathComponent("reply.wav").path
        let spoken = try await Subprocess.run("/usr/bin/espeak-ng", ["-w", question, "What is the weather in Paris?"])
        #expect(spoken.status == 0, "espeak-ng: \(spoken.stderr)")
        let result = try await SteadfastCLITests.run(["console", "--in", question, "--out", reply, "--transcript"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("you> "), "a user turn was heard: \(result.stdout)")
        #expect(result.stdout.contains("agent> "))
        let written = try Data(contentsOf: URL(fileURLWithPath: reply))
        // 48 kHz 16-bit mono: more than two seconds of agent speech (greeting and answer).
        #expect(written.count > 44 + 2 * 96_000, "reply.wav has \(written.count) bytes")
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
        let openai = try ScriptedHTTPServer { request in
            if request.path.contains("/audio/") {
                return .json(status: 503, #"{"error":{"message":"overloaded","type":"server_error"}}"#)
            }
            return ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(["Still here."])))
        }
        defer { openai.stop() }
        let (question, reply, directory) = try await Self.spokenQuestion()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await SteadfastCLITests.run(["console", "--in", question, "--out", reply, "--transcript"], env: [
            "OPENAI_API_KEY": Self.openAIKey, "OPENAI_BASE_URL": openai.baseURL.absoluteString + "/v1",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("agent> Still here."), "\(result.stdout)")
        #expect(openai.requests.contains { $0.path.hasSuffix("/audio/transcriptions") }, "OpenAI was tried first")
        let written = try Data(contentsOf: URL(fileURLWithPath: reply))
        #expect(written.count > 44 + 96_000, "espeak spoke the answer: \(written.count) bytes")
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

    @Test func consoleNeedsAModeAndNamesUnknownAgents() async throws {
        let noMode = try await SteadfastCLITests.run(["console"])
        #expect(noMode.status != 0)
        #expect(noMode.stderr.contains("--text"))
        let unknown = try await SteadfastCLITests.run(["console", "--text", "--agent", "nobody"], input: "hi\n")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("there is no agent called \"nobody\""))
    }
}
