import Foundation

/// Everything Steadfast reads from the environment, typed and validated once at startup.
///
/// Build it with `ConfigurationLoader`. Secrets are `Secret`s, so printing or logging a
/// configuration (or any part of it) never reveals a credential.
public struct SteadfastConfiguration: Sendable, Encodable, CustomStringConvertible {
    public struct LiveKit: Sendable, Encodable {
        /// nil: not configured (commands that talk to LiveKit say which variable they need).
        public var url: URL?
        public var apiKey: String?
        public var apiSecret: Secret?
        /// Extra CA certificates (PEM) trusted for `wss://`, for a LiveKit server with a private CA.
        public var caFile: String?
    }

    public struct Provider: Sendable, Encodable {
        public var apiKey: Secret?
        /// Replaces the vendor's default endpoint (proxies, self-hosting, fault-injecting test servers).
        public var baseURL: URL?
    }

    public struct OpenRouter: Sendable, Encodable {
        public var appName: String?
        public var appURL: String?
        public var defaultModel: String?
        public var fallbackModels: [String] = []
        /// USD per million output tokens: a voice model switch never chooses a dearer model.
        public var maxPricePerMillionOutput: Double = 10
    }

    public var livekit = LiveKit()
    public var providers: [ProviderID: Provider] = [:]
    public var openRouter = OpenRouter()
    public var cloudflareAccountID: String?
    public var llmProvider: ProviderID?
    public var llmModel: String?
    public var logLevel: String = "info"

    public init() {}

    /// The provider's settings; an unconfigured provider has neither key nor override.
    public func provider(_ id: ProviderID) -> Provider { providers[id] ?? Provider() }

    /// Providers with an API key, in the canonical order.
    public var configuredProviders: [ProviderID] {
        providers.filter { $0.value.apiKey != nil }.keys.sorted()
    }

    /// Unwraps a value a command cannot run without, or explains exactly what is missing.
    ///
    ///     let secret = try config.require(config.livekit.apiSecret, "LIVEKIT_API_SECRET", for: "steadfast token create")
    public func require<Value>(_ value: Value?, _ variable: String, for command: String) throws(ConfigError) -> Value {
        guard let value else {
            throw ConfigError(.missing, """
                \(variable) is not set, and `\(command)` needs it. Export it or add it to .env \
                (see .env.example for every variable).
                """)
        }
        return value
    }

    /// The LiveKit key pair, or a message naming whichever half is missing.
    public func requireLiveKitCredentials(for command: String) throws(ConfigError) -> (apiKey: String, apiSecret: Secret) {
        (try require(livekit.apiKey, "LIVEKIT_API_KEY", for: command),
         try require(livekit.apiSecret, "LIVEKIT_API_SECRET", for: command))
    }

    /// A multi-line summary safe for logs: secrets redacted, unset values marked.
    public var description: String {
        var lines = [
            "livekit.url=\(livekit.url?.absoluteString ?? "(unset)")",
            "livekit.apiKey=\(livekit.apiKey ?? "(unset)")",
            "livekit.apiSecret=\(livekit.apiSecret?.redacted ?? "(unset)")",
            "livekit.caFile=\(livekit.caFile ?? "(unset)")",
            "llm.provider=\(llmProvider?.rawValue ?? "(auto)") llm.model=\(llmModel ?? "(default)")",
        ]
        for id in ProviderID.allCases {
            let settings = provider(id)
            guard settings.apiKey != nil || settings.baseURL != nil else { continue }
            lines.append("provider.\(id.rawValue).apiKey=\(settings.apiKey?.redacted ?? "(unset)")"
                + (settings.baseURL.map { " baseURL=\($0.absoluteString)" } ?? ""))
        }
        if let model = openRouter.defaultModel {
            lines.append("openrouter.models=\(([model] + openRouter.fallbackModels).joined(separator: ","))")
        }
        return lines.joined(separator: "\n")
    }
}
