import Foundation
import Yams

/// Optional `steadfast.yaml`: chain order, limits, models, budgets, cooldowns, hedging and cache.
/// Everything is optional; unset values keep the built-in defaults.
///
/// ```yaml
/// llm:
///   order: [openrouter, groq, openai]      # remote providers, in priority order
///   hedging: { enabled: true, min_delay_ms: 400, max_share: 0.1 }
///   cache: { enabled: true, ttl_hours: 24, directory: .steadfast/cache, max_entries: 500 }
///   turn_budget_ms: 20000
///   providers:
///     openai:
///       model: gpt-4o-mini
///       max_retries: 1
///       first_token_deadline_ms: 2000
///       cooldown_seconds: 300
///       limits: { rpm: 60, rpd: 10000, tpm: 200000, daily_budget_usd: 5 }
///       price_per_million_input: 0.15
///       price_per_million_output: 0.6
/// openrouter:
///   mode: client            # or: server (OpenRouter's own `models` fallback)
///   free_requests_per_day: 50
/// ```
public struct RoutingSettings: Codable, Sendable, Equatable {
    public var llm = LLMSettings()
    public var openrouter = OpenRouterSettings()

    public init() {}

    enum CodingKeys: String, CodingKey { case llm, openrouter }

    /// Every section is optional.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        llm = try container.decodeIfPresent(LLMSettings.self, forKey: .llm) ?? LLMSettings()
        openrouter = try container.decodeIfPresent(OpenRouterSettings.self, forKey: .openrouter) ?? OpenRouterSettings()
    }

    public struct LLMSettings: Codable, Sendable, Equatable {
        public var order: [String]?
        public var hedging: Hedging?
        public var cache: Cache?
        public var turnBudgetMs: Int?
        public var providers: [String: ProviderSettings]?

        public init() {}

        enum CodingKeys: String, CodingKey {
            case order, hedging, cache, providers
            case turnBudgetMs = "turn_budget_ms"
        }
    }

    public struct Hedging: Codable, Sendable, Equatable {
        public var enabled: Bool?
        public var minDelayMs: Int?
        public var maxShare: Double?
        enum CodingKeys: String, CodingKey { case enabled, minDelayMs = "min_delay_ms", maxShare = "max_share" }
    }

    public struct Cache: Codable, Sendable, Equatable {
        public var enabled: Bool?
        public var ttlHours: Double?
        public var directory: String?
        public var maxEntries: Int?
        enum CodingKeys: String, CodingKey {
            case enabled, directory, ttlHours = "ttl_hours", maxEntries = "max_entries"
        }
    }

    public struct ProviderSettings: Codable, Sendable, Equatable {
        public var enabled: Bool?
        public var priority: Int?
        public var model: String?
        public var maxRetries: Int?
        public var firstTokenDeadlineMs: Int?
        public var requestTimeoutMs: Int?
        public var idleTimeoutMs: Int?
        public var cooldownSeconds: Int?
        public var quotaCooldownSeconds: Int?
        public var failureThreshold: Int?
        public var contextTokens: Int?
        public var pricePerMillionInput: Double?
        public var pricePerMillionOutput: Double?
        public var limits: Limits?

        enum CodingKeys: String, CodingKey {
            case enabled, priority, model, limits
            case maxRetries = "max_retries", firstTokenDeadlineMs = "first_token_deadline_ms"
            case requestTimeoutMs = "request_timeout_ms", idleTimeoutMs = "idle_timeout_ms"
            case cooldownSeconds = "cooldown_seconds", quotaCooldownSeconds = "quota_cooldown_seconds"
            case failureThreshold = "failure_threshold", contextTokens = "context_tokens"
            case pricePerMillionInput = "price_per_million_input", pricePerMillionOutput = "price_per_million_output"
        }
    }

    public struct Limits: Codable, Sendable, Equatable {
        public var rpm: Int?
        public var rpd: Int?
        public var tpm: Int?
        public var tpd: Int?
        public var dailyBudgetUsd: Double?
        public var dailyResetHourUtc: Int?
        enum CodingKeys: String, CodingKey {
            case rpm, rpd, tpm, tpd, dailyBudgetUsd = "daily_budget_usd", dailyResetHourUtc = "daily_reset_hour_utc"
        }
    }

    public struct OpenRouterSettings: Codable, Sendable, Equatable {
        /// "client" (rotate models ourselves) or "server" (OpenRouter's `models` array).
        public var mode: String?
        public var models: [String]?
        public var freeRequestsPerDay: Int?
        public init() {}
        enum CodingKeys: String, CodingKey { case mode, models, freeRequestsPerDay = "free_requests_per_day" }
    }

    /// Loads `path`; a missing file gives the defaults unless `required` (the user named it with
    /// `--config`). Errors are one line naming the file, the line, the field and the allowed values.
    public static func load(path: String = "steadfast.yaml", required: Bool = false) throws(ConfigError) -> RoutingSettings {
        guard required || TextFile.exists(path) else { return RoutingSettings() }
        return try parse(TextFile.read(path), fileName: path)
    }

    /// Parses the text of a `steadfast.yaml`, checking every key and every number's range.
    public static func parse(_ text: String, fileName: String = "steadfast.yaml") throws(ConfigError) -> RoutingSettings {
        guard let root = try YAMLDocument.compose(text, file: fileName), root.null == nil else { return RoutingSettings() }
        return try RoutingSettingsReader(reader: YAMLFieldReader(file: fileName)).settings(root)
    }
}
