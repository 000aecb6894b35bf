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

    @Test func consoleNeedsAModeAndNamesUnknownAgents() async throws {
        let noMode = try await SteadfastCLITests.run(["console"])
        #expect(noMode.status != 0)
        #expect(noMode.stderr.contains("--text"))
        let unknown = try await SteadfastCLITests.run(["console", "--text", "--agent", "nobody"], input: "hi\n")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("there is no agent called \"nobody\""))
    }
}
