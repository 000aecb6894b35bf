import Foundation
import SteadfastConfig
import Testing

@Suite("Configuration loading")
struct ConfigurationLoaderTests {
    static func temporaryEnvFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-\(UUID().uuidString).env").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func environmentWinsOverTheEnvFile() throws {
        let file = try Self.temporaryEnvFile("""
            LIVEKIT_API_KEY=from-file
            LIVEKIT_API_SECRET=file-secret-0123456789
            OPENROUTER_DEFAULT_MODEL=google/gemini-2.0-flash-exp:free
            """)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let config = try ConfigurationLoader(environment: ["LIVEKIT_API_KEY": "from-env"], envFile: file).load()
        #expect(config.livekit.apiKey == "from-env")
        #expect(config.livekit.apiSecret?.unredactedValue == "file-secret-0123456789")
        #expect(config.openRouter.defaultModel == "google/gemini-2.0-flash-exp:free")
    }

    @Test func providersAndOverridesAreTyped() throws {
        let config = try ConfigurationLoader(environment: [
            "OPENAI_API_KEY": "sk-test-aaaaaaaaaaaaaaaa",
            "GROQ_BASE_URL": "http://127.0.0.1:9999/openai/v1",
            "GEMINI_API_KEY": "gemini-alias",
            "OPENROUTER_FALLBACK_MODELS": " anthropic/claude-3.5-haiku , openai/gpt-4o-mini,,",
            "LLM_PROVIDER": "Google",
            "LIVEKIT_URL": "wss://example.livekit.cloud",
            "CLOUDFLARE_ACCOUNT_ID": "acct",
            "EMPTY_IS_UNSET": "",
            "DEEPGRAM_API_KEY": "",
        ], envFile: nil).load()
        #expect(config.provider(.openai).apiKey?.unredactedValue == "sk-test-aaaaaaaaaaaaaaaa")
        #expect(config.provider(.groq).baseURL?.absoluteString == "http://127.0.0.1:9999/openai/v1")
        #expect(config.provider(.groq).apiKey == nil)
        #expect(config.provider(.gemini).apiKey?.unredactedValue == "gemini-alias")
        #expect(config.provider(.deepgram).apiKey == nil, "an empty value counts as unset")
        #expect(config.openRouter.fallbackModels == ["anthropic/claude-3.5-haiku", "openai/gpt-4o-mini"])
        #expect(config.llmProvider == .gemini)
        #expect(config.livekit.url?.host == "example.livekit.cloud")
        #expect(config.cloudflareAccountID == "acct")
        #expect(config.configuredProviders == [.openai, .gemini])
    }

    @Test func googleKeyWinsOverGeminiAlias() throws {
        let config = try ConfigurationLoader(
            environment: ["GOOGLE_API_KEY": "google", "GEMINI_API_KEY": "gemini"], envFile: nil).load()
        #expect(config.provider(.gemini).apiKey?.unredactedValue == "google")
    }

    @Test(arguments: [
        ("LIVEKIT_URL", "localhost:7880"),
        ("LIVEKIT_URL", "ftp://host"),
        ("OPENAI_BASE_URL", "not a url"),
        ("LLM_PROVIDER", "deepgram"),
        ("LLM_PROVIDER", "skynet"),
        ("STEADFAST_LOG_LEVEL", "loud"),
    ])
    func invalidValuesNameTheVariable(variable: String, value: String) {
        #expect {
            try ConfigurationLoader(environment: [variable: value], envFile: nil).load()
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.code == .invalid && error.message.contains(variable)
        }
    }

    @Test func missingRequiredValueNamesVariableAndCommand() throws {
        let config = try ConfigurationLoader(environment: ["LIVEKIT_API_KEY": "k"], envFile: nil).load()
        #expect(throws: ConfigError.self) { try config.requireLiveKitCredentials(for: "steadfast token create") }
        do {
            _ = try config.requireLiveKitCredentials(for: "steadfast token create")
        } catch {
            #expect(error.code == .missing)
            #expect(error.message.hasPrefix("LIVEKIT_API_SECRET is not set, and `steadfast token create` needs it."))
        }
    }

    @Test func explicitEnvFileMustExistButDefaultIsOptional() throws {
        #expect(throws: ConfigError.self) {
            try ConfigurationLoader(environment: [:], envFile: "/nonexistent/.env", envFileIsOptional: false).load()
        }
        _ = try ConfigurationLoader(environment: [:], envFile: "/nonexistent/.env").load()
    }

    @Test func malformedEnvFileNamesFileAndLine() throws {
        let file = try Self.temporaryEnvFile("OK=1\nthis line is wrong\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect {
            try ConfigurationLoader(environment: [:], envFile: file).load()
        } throws: { error in
            (error as? ConfigError)?.message == "\(file) line 2: expected KEY=value"
        }
    }
}

@Suite("Durations")
struct DurationParserTests {
    @Test(arguments: [("90s", 90), ("15m", 900), ("6h", 21_600), ("1d", 86_400), ("1h30m", 5_400), ("2H", 7_200)])
    func parses(text: String, seconds: Int64) {
        #expect(DurationParser.parse(text) == .seconds(seconds))
    }

    @Test(arguments: ["", "6", "h", "6x", "-5m", "1.5h", "99999999999h"])
    func rejects(text: String) {
        #expect(DurationParser.parse(text) == nil)
    }
}
