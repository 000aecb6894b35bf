import Foundation
import TestSupport
import Testing

/// `steadfast ask` and `steadfast providers` pointed at scripted provider servers via *_BASE_URL.
@Suite("steadfast ask / providers against scripted servers", .timeLimit(.minutes(5)))
struct AskAndProvidersCLITests {
    static let openAIKey = "sk-test-cli-0123456789abcdefXYZ1"
    static let groqKey = "gsk_test_cli_0123456789abcdefXYZ2"

    static func streaming(_ pieces: [String]) -> ScriptedResponse {
        ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(pieces)))
    }

    @Test func askStreamsTheAnswerAndReportsWhoServed() async throws {
        let openai = try ScriptedHTTPServer(responses: [Self.streaming(["The capital", " of France", " is Paris."])])
        defer { openai.stop() }
        let result = try await SteadfastCLITests.run(["ask", "What is the capital of France?"], env: [
            "OPENAI_API_KEY": Self.openAIKey, "OPENAI_BASE_URL": openai.baseURL.absoluteString + "/v1",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasPrefix("The capital of France is Paris."))
        #expect(result.stderr.contains("— served by openai (model gpt-6-luna), TTFT"))
        #expect(result.stderr.contains("Using LLM provider: openai (model gpt-6-luna)"))
        let request = try #require(openai.requests.first)
        #expect(request.path == "/v1/chat/completions")
        #expect(request.header("Authorization") == "Bearer \(Self.openAIKey)")
        #expect(request.bodyText.contains("What is the capital of France?"))
        #expect(!result.stdout.contains(Self.openAIKey) && !result.stderr.contains(Self.openAIKey))
    }

    @Test func askFailsOverAndReportsTheSwitchInJSON() async throws {
        let openai = try ScriptedHTTPServer(responses: [
            .json(status: 429, #"{"error":{"message":"Rate limit reached","type":"requests"}}"#, headers: [("Retry-After", "30")]),
        ])
        let groq = try ScriptedHTTPServer(responses: [Self.streaming(["Paris", "."])])
        defer { openai.stop(); groq.stop() }
        let result = try await SteadfastCLITests.run(["ask", "--json", "Capital of France?"], env: [
            "OPENAI_API_KEY": Self.openAIKey, "OPENAI_BASE_URL": openai.baseURL.absoluteString + "/v1",
            "GROQ_API_KEY": Self.groqKey, "GROQ_BASE_URL": groq.baseURL.absoluteString + "/openai/v1",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["answer"] as? String == "Paris.")
        #expect(report["provider"] as? String == "groq")
        let switches = try #require(report["switches"] as? [[String: String]])
        #expect(switches.first?["from"] == "openai" && switches.first?["to"] == "groq")
        #expect(switches.first?["reason"] == "rateLimited")
        #expect(openai.requests.count == 1, "the 429 with Retry-After is not retried while groq can answer")
        #expect(!result.stderr.contains(Self.groqKey) && !result.stderr.contains(Self.openAIKey))
    }

    @Test func askWithoutKeysAnswersFromTheLocalLastResort() async throws {
        let result = try await SteadfastCLITests.run(["ask", "Hello!"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("language service"))
        #expect(result.stderr.contains("served by local"))
    }

    @Test func askForAChainWhoseKeyIsMissingNamesTheVariable() async throws {
        let result = try await SteadfastCLITests.run(["ask", "--chain", "anthropic", "Hi"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("ANTHROPIC_API_KEY is not set, and the anthropic chain needs it."))
    }

    @Test func providersPrintsEveryChainAsJSON() async throws {
        let result = try await SteadfastCLITests.run(["providers", "--json"], env: [
            "OPENAI_API_KEY": Self.openAIKey, "GROQ_API_KEY": Self.groqKey, "OPENROUTER_API_KEY": "sk-or-v1-cli-abcdefabcdef1234",
            "OPENROUTER_DEFAULT_MODEL": "google/gemini-2.0-flash-exp:free",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let chains = try #require(document["chains"] as? [[String: Any]])
        #expect(chains.map { $0["chain"] as? String } == ["default", "openrouter", "stt", "tts"])
        // Speech chains from the same keys: Groq and OpenAI transcribe, OpenAI speaks, the local engines end them.
        #expect((chains[2]["providers"] as? [[String: Any]])?.map { $0["name"] as? String } == ["groq", "openai", "pocketsphinx"])
        #expect((chains[3]["providers"] as? [[String: Any]])?.map { $0["name"] as? String } == ["openai", "espeak"])
        let providers = try #require(chains.first?["providers"] as? [[String: Any]])
        #expect(providers.map { $0["name"] as? String } == ["openrouter", "openai", "groq", "local"])
        #expect(providers.allSatisfy { $0["state"] as? String == "available" })
        let limits = try #require(providers.first?["limits"] as? [String: Any])
        #expect(limits["requestsPerMinute"] as? Int == 20, "free OpenRouter models get the free-tier limits up front")
        #expect(limits["requestsPerDay"] as? Int == 50)
        #expect(providers.first?["current_model"] as? String == "google/gemini-2.0-flash-exp:free")
        #expect(!result.stdout.contains("sk-or-v1-cli"))
    }

    @Test func providersCheckReportsEachProviderAsItGoes() async throws {
        let openai = try ScriptedHTTPServer(responses: [ConsoleCLITests.modelList("gpt-6-luna"), Self.streaming(["OK"])])
        let groq = try ScriptedHTTPServer(responses: [
            ConsoleCLITests.modelList("openai/gpt-oss-20b"),
            .json(status: 401, #"{"error":{"message":"Invalid API Key \#(Self.groqKey)","type":"invalid_request_error"}}"#),
        ])
        defer { openai.stop(); groq.stop() }
        let result = try await SteadfastCLITests.run(["providers", "check"], env: [
            "OPENAI_API_KEY": Self.openAIKey, "OPENAI_BASE_URL": openai.baseURL.absoluteString + "/v1",
            "GROQ_API_KEY": Self.groqKey, "GROQ_BASE_URL": groq.baseURL.absoluteString + "/openai/v1",
        ])
        #expect(result.status == 1, "a failing provider makes the check fail")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        // Per provider: its model looked up in the catalogue (issue 18), then the one real call.
        #expect(lines.count == 4, "\(lines)")
        #expect(lines.first?.hasPrefix("openai") == true && lines.first?.contains("gpt-6-luna") == true
                && lines.first?.contains(" listed") == true)
        #expect(lines.dropFirst().first?.hasPrefix("openai") == true && lines.dropFirst().first?.contains("OK") == true)
        #expect(lines.dropFirst(2).first?.hasPrefix("groq") == true && lines.dropFirst(2).first?.contains(" listed") == true)
        #expect(lines.last?.hasPrefix("groq") == true && lines.last?.contains("FAILED") == true)
        #expect(lines.last?.contains("auth (HTTP 401)") == true)
        #expect(!result.stdout.contains(Self.groqKey), "a key echoed by the provider is scrubbed")
    }

    @Test func badRoutingSettingsFileIsAClearError() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("steadfast.yaml")
        try "llm:\n  order: [openai, skynet]\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try await SteadfastCLITests.run(["providers", "--config", file.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("unknown provider \"skynet\""))
    }
}
