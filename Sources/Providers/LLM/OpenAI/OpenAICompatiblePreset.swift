import Foundation

extension OpenAICompatibleLLM {
    /// The vendors that speak OpenAI Chat Completions, with their default endpoints
    /// (llm-routing.md §7 "OpenAI-compatible today").
    public enum Preset: Sendable, Equatable {
        case openAI
        case groq
        case together
        case openRouter
        /// Gemini through Google's OpenAI-compatible endpoint (the native adapter is `GeminiLLM`).
        case geminiOpenAI
        /// Workers AI's OpenAI-compatible endpoint for one account.
        case cloudflare(accountID: String)
        /// Ollama, llama.cpp or vLLM on this machine; sends no key.
        case local

        /// Name used in logs, status and errors.
        public var providerName: String {
            switch self {
            case .openAI: "openai"
            case .groq: "groq"
            case .together: "together"
            case .openRouter: "openrouter"
            case .geminiOpenAI: "gemini"
            case .cloudflare: "cloudflare"
            case .local: "local"
            }
        }

        /// The vendor's base URL (requests go to `{base}/chat/completions`).
        public var defaultBaseURL: URL {
            let text: String
            switch self {
            case .openAI: text = "https://api.openai.com/v1"
            case .groq: text = "https://api.groq.com/openai/v1"
            case .together: text = "https://api.together.xyz/v1"
            case .openRouter: text = "https://openrouter.ai/api/v1"
            case .geminiOpenAI: text = "https://generativelanguage.googleapis.com/v1beta/openai"
            case .cloudflare(let account):
                let safe = account.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? account
                text = "https://api.cloudflare.com/client/v4/accounts/\(safe)/ai/v1"
            case .local: text = "http://127.0.0.1:11434/v1"
            }
            // Every literal above is a valid URL; the fallback only guards a pathological account id.
            return URL(string: text) ?? URL(fileURLWithPath: "/invalid")
        }
    }
}
