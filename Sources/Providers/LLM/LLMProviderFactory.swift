import Foundation
import Logging
import SteadfastConfig
import Transport

/// Builds the `LLM` adapter for a provider from the typed configuration.
///
/// The one place that knows which wire format each vendor speaks, its default model and where its
/// key comes from, so the router and the CLI never switch over vendors themselves.
public struct LLMProviderFactory: Sendable {
    public let configuration: SteadfastConfiguration
    public let transport: any HTTPTransport
    public let openRouterMode: OpenRouterRotationClient.Mode
    private let logger: Logger

    public init(configuration: SteadfastConfiguration, transport: any HTTPTransport,
                openRouterMode: OpenRouterRotationClient.Mode = .clientRotation,
                logger: Logger = Logger(label: "steadfast.providers.llm")) {
        self.configuration = configuration
        self.transport = transport
        self.openRouterMode = openRouterMode
        self.logger = logger
    }

    /// Small, fast, tool-capable models that suit a voice turn, each listed as active by its vendor
    /// when last checked; `LLM_MODEL` or an explicit model overrides them. `docs/models.md` records the
    /// source and date of each (a test keeps the two in step).
    public static func defaultModel(for provider: ProviderID) -> String? {
        switch provider {
        case .openai: "gpt-6-luna"
        case .openrouter: "openai/gpt-6-luna"
        case .gemini: "gemini-3.5-flash-lite"
        case .anthropic: "claude-haiku-5-5"
        case .groq: "openai/gpt-oss-20b"
        case .together: "meta-llama/Llama-3.3-70B-Instruct-Turbo"
        case .cloudflare: "@cf/openai/gpt-oss-20b"
        case .deepgram, .cartesia, .elevenlabs: nil
        }
    }

    /// The model used for `provider`: `model`, else `LLM_MODEL` when `provider` is `LLM_PROVIDER`,
    /// else the provider default.
    public func resolvedModel(for provider: ProviderID, model: String? = nil) -> String? {
        if let model { return model }
        if provider == configuration.llmProvider, let configured = configuration.llmModel { return configured }
        if provider == .openrouter, let configured = configuration.openRouter.defaultModel { return configured }
        return Self.defaultModel(for: provider)
    }

    /// The adapter for `provider`. Throws `.auth` when its key is missing and `.badRequest` when the
    /// provider cannot serve an LLM or is missing other settings (Cloudflare account id).
    public func makeLLM(_ provider: ProviderID, model: String? = nil) throws(ProviderError) -> any LLM {
        guard let model = resolvedModel(for: provider, model: model) else {
            throw ProviderError(.badRequest, "\(provider.rawValue) does not serve language models", provider: provider.rawValue)
        }
        let settings = configuration.provider(provider)
        guard let key = settings.apiKey else {
            throw ProviderError(.auth, "\(provider.apiKeyVariables.joined(separator: " or ")) is not set",
                                provider: provider.rawValue)
        }
        switch provider {
        case .anthropic:
            return AnthropicLLM(model: model, apiKey: key, baseURL: settings.baseURL, transport: transport, logger: logger)
        case .gemini:
            return GeminiLLM(model: model, apiKey: key, baseURL: settings.baseURL, transport: transport, logger: logger)
        case .openrouter:
            var models = [model] + configuration.openRouter.fallbackModels
            if let configured = configuration.openRouter.defaultModel, configured != model { models.insert(configured, at: 1) }
            let openRouter = configuration.openRouter
            // The catalogue lets a voice command choose any OpenRouter model under the price ceiling.
            return OpenRouterRotationClient(models: models, apiKey: key, mode: openRouterMode, appName: openRouter.appName,
                                            appURL: openRouter.appURL, baseURL: settings.baseURL, transport: transport,
                                            catalogue: ModelCatalogueStore(transport: transport),
                                            priceCeiling: openRouter.maxPricePerMillionOutput, logger: logger)
        case .openai, .groq, .together:
            let preset: OpenAICompatibleLLM.Preset = provider == .openai ? .openAI : provider == .groq ? .groq : .together
            return OpenAICompatibleLLM(preset: preset, model: model, apiKey: key, baseURL: settings.baseURL,
                                       transport: transport, logger: logger)
        case .cloudflare:
            guard settings.baseURL != nil || configuration.cloudflareAccountID != nil else {
                throw ProviderError(.badRequest, "CLOUDFLARE_ACCOUNT_ID is not set", provider: provider.rawValue)
            }
            return OpenAICompatibleLLM(preset: .cloudflare(accountID: configuration.cloudflareAccountID ?? ""), model: model,
                                       apiKey: key, baseURL: settings.baseURL, transport: transport, logger: logger)
        case .deepgram, .cartesia, .elevenlabs:
            throw ProviderError(.badRequest, "\(provider.rawValue) does not serve language models", provider: provider.rawValue)
        }
    }

    /// A local OpenAI-compatible server (Ollama, llama.cpp, vLLM): no key, the last resort that needs no network.
    public func makeLocalLLM(model: String, baseURL: URL? = nil) -> OpenAICompatibleLLM {
        OpenAICompatibleLLM(preset: .local, model: model, apiKey: nil, baseURL: baseURL, transport: transport, logger: logger)
    }
}
