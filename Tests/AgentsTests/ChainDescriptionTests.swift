@testable import Agents
import Testing

/// How getModelInfo words the chain, for every provider state.
@Suite("Chain description")
struct ChainDescriptionTests {
    typealias Member = LLMChainView.Member

    @Test func servingThenStandingByThenTheLocalFallback() {
        let text = LLMChainView.describe([
            Member(name: "openrouter", model: "google/gemini-2.0-flash", state: .coolingDown, isLastResort: false,
                   cooldownSeconds: 40),
            Member(name: "openai", model: "gpt-4o-mini", state: .available, isLastResort: false),
            Member(name: "groq", model: "llama-3.3-70b", state: .available, isLastResort: false),
            Member(name: "anthropic", model: nil, state: .disabled, isLastResort: false),
            Member(name: "local", model: "canned-replies", state: .available, isLastResort: true),
        ])
        #expect(text == "OpenAI, gpt-4o-mini; OpenRouter cooling down (back in about 40 seconds); Groq standing by; "
            + "Anthropic disabled (check its API key); local fallback ready")
    }

    @Test func whenEveryRemoteIsDownTheLocalFallbackIsNamed() {
        let text = LLMChainView.describe([
            Member(name: "gemini", model: nil, state: .quotaExhausted, isLastResort: false, cooldownSeconds: 3600),
            Member(name: "local", model: "canned-replies", state: .available, isLastResort: true),
        ])
        #expect(text == "No remote provider is available, so the local fallback is answering; "
            + "Gemini out of quota (back in about 3600 seconds)")
    }

    @Test(arguments: [("Switch to Gemini please", "gemini"), ("go back to the default model", "default"),
                      ("use Claude", "claude"), ("switch back to GPT-4o", "gpt-4o"), ("Llama!", "llama"), ("go back", "go back")])
    func requestsAreReducedToTheModelName(request: String, expected: String) {
        #expect(SwitchModelTool.normalize(request) == expected)
    }
}
