/// Every environment variable Steadfast reads, with a one-line purpose.
///
/// This table is the single source: `.env.example` and docs/configuration.md are
/// checked against it by tests, so a new variable cannot go undocumented.
public struct ConfigurationVariable: Sendable, Hashable {
    public let name: String
    public let purpose: String
    /// Secrets are redacted wherever configuration is shown.
    public let isSecret: Bool

    public init(_ name: String, _ purpose: String, secret: Bool = false) {
        self.name = name
        self.purpose = purpose
        isSecret = secret
    }

    public static let all: [ConfigurationVariable] = [
        .init("LIVEKIT_URL", "LiveKit server, e.g. wss://my-project.livekit.cloud; needed by start and worker check; unset, dev runs the embedded server"),
        .init("LIVEKIT_API_KEY", "API key that signs access tokens (the JWT iss claim)"),
        .init("LIVEKIT_API_SECRET", "API secret for HS256 token signatures", secret: true),
        .init("LIVEKIT_CA_FILE", "PEM file of CA certificates to trust for a wss:// LiveKit with a private CA, besides the system's (SSL_CERT_FILE also works)"),
        .init("LLM_PROVIDER", "primary LLM provider: \(ProviderID.llmProviders.map(\.rawValue).joined(separator: ", "))"),
        .init("LLM_MODEL", "model for LLM_PROVIDER, e.g. gpt-6-luna"),
        .init("OPENAI_API_KEY", "OpenAI key (LLM, STT, TTS)", secret: true),
        .init("OPENAI_BASE_URL", "override the OpenAI endpoint (proxy, Azure gateway, local OpenAI-compatible server)"),
        .init("OPENROUTER_API_KEY", "OpenRouter key for the model-rotation client", secret: true),
        .init("OPENROUTER_BASE_URL", "override the OpenRouter endpoint"),
        .init("OPENROUTER_APP_NAME", "sent as X-Title so usage shows under your app on openrouter.ai"),
        .init("OPENROUTER_APP_URL", "sent as HTTP-Referer for OpenRouter app attribution"),
        .init("OPENROUTER_DEFAULT_MODEL", "first model of the rotation, e.g. openai/gpt-6-luna"),
        .init("OPENROUTER_FALLBACK_MODELS", "comma-separated models to rotate to when the current one fails"),
        .init("OPENROUTER_MAX_PRICE_PER_MILLION_OUTPUT", "USD per million output tokens a voice model switch may choose on OpenRouter (default 10)"),
        .init("GOOGLE_API_KEY", "Google AI Studio key for Gemini (GEMINI_API_KEY is an alias)", secret: true),
        .init("GEMINI_API_KEY", "alias of GOOGLE_API_KEY; GOOGLE_API_KEY wins when both are set", secret: true),
        .init("GEMINI_BASE_URL", "override the Gemini endpoint"),
        .init("ANTHROPIC_API_KEY", "Anthropic key (Claude via the Messages API)", secret: true),
        .init("ANTHROPIC_BASE_URL", "override the Anthropic endpoint"),
        .init("GROQ_API_KEY", "Groq key (fast OpenAI-compatible LLM and Whisper STT)", secret: true),
        .init("GROQ_BASE_URL", "override the Groq endpoint"),
        .init("TOGETHER_API_KEY", "Together AI key", secret: true),
        .init("TOGETHER_BASE_URL", "override the Together endpoint"),
        .init("CLOUDFLARE_API_KEY", "Cloudflare Workers AI API token", secret: true),
        .init("CLOUDFLARE_ACCOUNT_ID", "Cloudflare account that owns the Workers AI usage"),
        .init("CLOUDFLARE_BASE_URL", "override the Cloudflare API endpoint"),
        .init("DEEPGRAM_API_KEY", "Deepgram key (streaming STT)", secret: true),
        .init("DEEPGRAM_BASE_URL", "override the Deepgram endpoint"),
        .init("CARTESIA_API_KEY", "Cartesia key (TTS)", secret: true),
        .init("CARTESIA_BASE_URL", "override the Cartesia endpoint"),
        .init("ELEVENLABS_API_KEY", "ElevenLabs key (TTS)", secret: true),
        .init("ELEVENLABS_BASE_URL", "override the ElevenLabs endpoint"),
        .init("OPEN_METEO_GEOCODING_URL", "override the Open-Meteo geocoding endpoint used by getWeather (no key needed)"),
        .init("OPEN_METEO_FORECAST_URL", "override the Open-Meteo forecast endpoint used by getWeather"),
        .init("LEAD_WEBHOOK_URL", "where the receptionist agent's captureLead tool posts leads (agents/receptionist.yaml)"),
        .init("LEAD_WEBHOOK_TOKEN", "bearer token sent with captureLead requests", secret: true),
        .init("STEADFAST_LOG_LEVEL", "trace, debug, info (default), notice, warning, error or critical"),
    ]

    public static let secretNames: Set<String> = Set(all.filter(\.isSecret).map(\.name))
}
