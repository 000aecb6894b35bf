import Foundation

/// Reads `SteadfastConfiguration` from the process environment plus an optional `.env` file.
///
/// Real environment variables win over the file, so a deployment can override any line of a
/// checked-in `.env` without editing it. Empty values count as unset.
public struct ConfigurationLoader: Sendable {
    public var environment: [String: String]
    /// Path of the `.env` file; nil to ignore files entirely.
    public var envFile: String?
    /// When false, a missing `envFile` is an error (the user named it explicitly).
    public var envFileIsOptional: Bool

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        envFile: String? = ".env", envFileIsOptional: Bool = true
    ) {
        self.environment = environment
        self.envFile = envFile
        self.envFileIsOptional = envFileIsOptional
    }

    /// Merged variables: file first, environment over it.
    public func variables() throws(ConfigError) -> [String: String] {
        var merged: [String: String] = [:]
        if let envFile {
            if TextFile.exists(envFile) {
                // Bounded (1 MiB) and strict UTF-8: a wrong path such as /dev/zero fails instead of hanging.
                let text: String
                do { text = try TextFile.read(envFile) } catch { throw ConfigError(.badEnvFile, error.message) }
                merged = try DotEnvParser.parse(text, fileName: envFile)
            } else if !envFileIsOptional {
                throw ConfigError(.badEnvFile, "env file \(envFile.escapingUnprintable) does not exist")
            }
        }
        merged.merge(environment) { _, fromEnvironment in fromEnvironment }
        return merged.filter { !$0.value.isEmpty }
    }

    public func load() throws(ConfigError) -> SteadfastConfiguration {
        let values = try variables()
        var config = SteadfastConfiguration()
        config.livekit.url = try url(values, "LIVEKIT_URL", schemes: ["ws", "wss", "http", "https"])
        config.livekit.apiKey = values["LIVEKIT_API_KEY"]
        config.livekit.apiSecret = values["LIVEKIT_API_SECRET"].map(Secret.init)
        config.livekit.caFile = values["LIVEKIT_CA_FILE"]
        for id in ProviderID.allCases {
            let key = id.apiKeyVariables.lazy.compactMap { values[$0] }.first.map(Secret.init)
            let baseURL = try url(values, id.baseURLVariable, schemes: ["http", "https"])
            if key != nil || baseURL != nil { config.providers[id] = .init(apiKey: key, baseURL: baseURL) }
        }
        config.openRouter.appName = values["OPENROUTER_APP_NAME"]
        config.openRouter.appURL = values["OPENROUTER_APP_URL"]
        config.openRouter.defaultModel = values["OPENROUTER_DEFAULT_MODEL"]?.trimmingCharacters(in: .whitespaces)
        config.openRouter.fallbackModels = (values["OPENROUTER_FALLBACK_MODELS"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let text = values["OPENROUTER_MAX_PRICE_PER_MILLION_OUTPUT"] {
            guard let price = Double(text.trimmingCharacters(in: .whitespaces)), price.isFinite, (0...100_000).contains(price) else {
                throw ConfigError(.invalid, "OPENROUTER_MAX_PRICE_PER_MILLION_OUTPUT=\(text.escapingUnprintable) must be a number "
                                  + "of US dollars from 0 to 100000")
            }
            config.openRouter.maxPricePerMillionOutput = price
        }
        config.cloudflareAccountID = values["CLOUDFLARE_ACCOUNT_ID"]
        if let name = values["LLM_PROVIDER"] {
            guard let id = ProviderID(name: name), ProviderID.llmProviders.contains(id) else {
                throw ConfigError(.invalid, """
                    LLM_PROVIDER=\(name.escapingUnprintable) is not an LLM provider; use one of \
                    \(ProviderID.llmProviders.map(\.rawValue).joined(separator: ", "))
                    """)
            }
            config.llmProvider = id
        }
        config.llmModel = values["LLM_MODEL"]
        if let level = values["STEADFAST_LOG_LEVEL"]?.lowercased() {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(level) else {
                throw ConfigError(.invalid, "STEADFAST_LOG_LEVEL=\(level.escapingUnprintable) is not one of \(levels.joined(separator: ", "))")
            }
            config.logLevel = level
        }
        return config
    }

    private func url(_ values: [String: String], _ variable: String, schemes: Set<String>) throws(ConfigError) -> URL? {
        guard let text = values[variable] else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme),
              url.host?.isEmpty == false
        else {
            throw ConfigError(.invalid, """
                \(variable) must be a URL with scheme \(schemes.sorted().joined(separator: "/")) and a host; \
                got \"\(text.escapingUnprintable)\"
                """)
        }
        return url
    }
}
