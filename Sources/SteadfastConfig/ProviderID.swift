/// The remote providers Steadfast can call, with the environment prefix of their variables.
public enum ProviderID: String, CaseIterable, Sendable, Codable, Comparable {
    case openai, openrouter, gemini, anthropic, groq, together, cloudflare, deepgram, cartesia, elevenlabs

    /// Variable prefix: `<PREFIX>_API_KEY`, `<PREFIX>_BASE_URL`.
    public var environmentPrefix: String { rawValue.uppercased() }

    /// Names accepted for the API key, first match wins (Gemini also answers to GOOGLE_API_KEY).
    public var apiKeyVariables: [String] {
        self == .gemini ? ["GOOGLE_API_KEY", "GEMINI_API_KEY"] : ["\(environmentPrefix)_API_KEY"]
    }

    public var baseURLVariable: String { "\(environmentPrefix)_BASE_URL" }

    /// Providers that can serve as `LLM_PROVIDER` (speech-only vendors cannot).
    public static let llmProviders: [ProviderID] = [.openai, .openrouter, .gemini, .anthropic, .groq, .together, .cloudflare]

    /// Accepts the canonical names plus the aliases people type ("google", "claude").
    public init?(name: String) {
        switch name.lowercased() {
        case "google", "gemini": self = .gemini
        case "claude": self = .anthropic
        case "workers-ai", "workersai": self = .cloudflare
        default: self.init(rawValue: name.lowercased())
        }
    }

    public static func < (lhs: ProviderID, rhs: ProviderID) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
