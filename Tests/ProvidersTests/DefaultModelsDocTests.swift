import Foundation
@testable import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// The shipped default models are the ones `docs/models.md` records (provider, model, source, date).
@Suite("Default models match docs/models.md")
struct DefaultModelsDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Rows of the table under `## <stage>`: provider → default model (backticks stripped).
    static func table(_ stage: String) throws -> [String: String] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/models.md"), encoding: .utf8)
        var rows: [String: String] = [:]
        var inStage = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { inStage = line == "## \(stage)"; continue }
            guard inStage, line.hasPrefix("|") else { continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 7, cells[1] != "Provider", !cells[1].hasPrefix("---") else { continue }
            #expect(cells[6] == "2026-12-07" || cells[6].hasPrefix("20"), "row \(cells[1]) has a checked date")
            #expect(cells[4].contains("http"), "row \(cells[1]) names a source")
            rows[cells[1]] = cells[2].replacingOccurrences(of: "`", with: "")
        }
        return rows
    }

    @Test func llmDefaultsAreTheDocumentedOnes() throws {
        let documented = try Self.table("LLM")
        let llmProviders: [ProviderID] = [.openai, .openrouter, .gemini, .anthropic, .groq, .together, .cloudflare]
        #expect(Set(documented.keys) == Set(llmProviders.map(\.rawValue)))
        for provider in llmProviders {
            #expect(LLMProviderFactory.defaultModel(for: provider) == documented[provider.rawValue], "\(provider)")
        }
    }

    @Test func sttDefaultsAreTheDocumentedOnes() throws {
        let documented = try Self.table("STT")
        #expect(documented == ["deepgram": DeepgramSTT.defaultModel,
                               "openai": OpenAICompatibleSTT.Preset.openAI.defaultModel,
                               "groq": OpenAICompatibleSTT.Preset.groq.defaultModel])
    }

    @Test func ttsDefaultsAreTheDocumentedOnes() throws {
        let documented = try Self.table("TTS")
        #expect(documented == ["cartesia": CartesiaTTS.defaultModel, "elevenlabs": ElevenLabsTTS.defaultModel,
                               "openai": OpenAISpeechTTS.defaultModel])
    }

    @Test func noDefaultIsARetiredModel() {
        let retired = ["gpt-4o-mini", "openai/gpt-4o-mini", "gemini-2.0-flash", "claude-3-5-haiku-latest",
                       "llama-3.1-8b-instant", "nova-2", "sonic-2", "gpt-4o-mini-transcribe"]
        let llm = ProviderID.allCases.compactMap { LLMProviderFactory.defaultModel(for: $0) }
        let speech = [DeepgramSTT.defaultModel, OpenAICompatibleSTT.Preset.openAI.defaultModel, CartesiaTTS.defaultModel]
        #expect(Set(llm + speech).isDisjoint(with: retired))
    }

    // MARK: - Token-limit field and reasoning effort per preset

    static func body(_ preset: OpenAICompatibleLLM.Preset, model: String, tools: Bool) async -> JSONValue {
        let transport = ReplayTransport([.sse(ProviderWireFixtures.openAIText(["Hi"]))])
        let llm = OpenAICompatibleLLM(preset: preset, model: model, apiKey: Secret("sk-test-0123456789abcdef"),
                                      transport: transport)
        let definitions = tools
            ? [ToolDefinition(name: "get_time", description: "time", parameters: .object(["type": .string("object")]))] : []
        let request = LLMRequest(messages: [ChatMessage(role: .user, content: "hi")], tools: definitions, maxTokens: 150)
        _ = await collect(llm.stream(request))
        return transport.body()
    }

    @Test func openAISendsMaxCompletionTokensAndNoReasoningWithTools() async {
        let body = await Self.body(.openAI, model: "gpt-6-luna", tools: true)
        #expect(body["max_completion_tokens"] == .number(150))
        #expect(body["max_tokens"] == nil)
        #expect(body["reasoning_effort"] == .string("none"))
        let plain = await Self.body(.openAI, model: "gpt-6-luna", tools: false)
        #expect(plain["reasoning_effort"] == nil)
        let older = await Self.body(.openAI, model: "gpt-4.1-mini", tools: true)
        #expect(older["max_completion_tokens"] == .number(150) && older["reasoning_effort"] == nil)
    }

    @Test(arguments: [OpenAICompatibleLLM.Preset.groq, .together, .openRouter, .cloudflare(accountID: "acc"), .local])
    func otherPresetsKeepMaxTokens(_ preset: OpenAICompatibleLLM.Preset) async {
        let body = await Self.body(preset, model: "gpt-6-luna", tools: true)
        #expect(body["max_tokens"] == .number(150))
        #expect(body["max_completion_tokens"] == nil && body["reasoning_effort"] == nil)
    }
}
