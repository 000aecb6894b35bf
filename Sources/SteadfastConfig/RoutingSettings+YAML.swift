import Yams

/// Reads `steadfast.yaml` from its node tree, so every error carries a line number, and checks each
/// number against the range it is used in: a negative limit or a reset hour of 2^63 is refused where
/// it enters, never passed on to the router's arithmetic.
struct RoutingSettingsReader {
    let reader: YAMLFieldReader

    /// Ranges, in the units of the key's name. Limits start at 1 (`enabled: false` turns a provider off).
    enum Range {
        static let milliseconds = 1...3_600_000
        static let hedgeDelayMs = 0...60_000
        static let share = 0.0...1.0
        static let cacheHours = 0.0...8_760.0
        static let cacheEntries = 1...100_000
        static let priority = -1_000...1_000
        static let retries = 0...10
        static let cooldownSeconds = 0...604_800
        static let failureThreshold = 1...1_000
        static let contextTokens = 1...100_000_000
        static let pricePerMillion = 0.0...10_000.0
        static let requestLimit = 1...1_000_000_000
        static let tokenLimit = 1...1_000_000_000_000
        static let budgetUSD = 0.0...1_000_000.0
        static let resetHour = 0...23
    }

    func settings(_ root: Node) throws(ConfigError) -> RoutingSettings {
        var settings = RoutingSettings()
        for (key, _, value) in try reader.mapping(root, "", allowed: ["llm", "openrouter"]) where value.null == nil {
            switch key {
            case "llm": settings.llm = try llm(value)
            default: settings.openrouter = try openRouter(value)
            }
        }
        return settings
    }

    private func llm(_ node: Node) throws(ConfigError) -> RoutingSettings.LLMSettings {
        var llm = RoutingSettings.LLMSettings()
        let keys = ["order", "hedging", "cache", "turn_budget_ms", "providers"]
        for (key, _, value) in try reader.mapping(node, "llm", allowed: keys) where value.null == nil {
            let field = "llm.\(key)"
            switch key {
            case "order":
                llm.order = try reader.strings(value, field)
                for (index, name) in (llm.order ?? []).enumerated() {
                    try provider(name, field: "\(field)[\(index)]", node: value.sequence?[index])
                }
            case "hedging": llm.hedging = try hedging(value)
            case "cache": llm.cache = try cache(value)
            case "turn_budget_ms": llm.turnBudgetMs = try reader.int(value, field, Range.milliseconds)
            default:
                var providers: [String: RoutingSettings.ProviderSettings] = [:]
                for (name, keyNode, settings) in try reader.mapping(value, field, allowed: nil) {
                    try provider(name, field: "\(field).\(name)", node: keyNode)
                    providers[name] = settings.null == nil ? try providerSettings(settings, "\(field).\(name)") : .init()
                }
                llm.providers = providers
            }
        }
        return llm
    }

    private func provider(_ name: String, field: String, node: Node?) throws(ConfigError) {
        guard ProviderID(name: name) == nil else { return }
        let known = ProviderID.allCases.map(\.rawValue)
        let hint = KeySuggestion.closest(to: name, in: known).map { "did you mean \($0)? " } ?? ""
        throw reader.failure(field.escapingUnprintable, node, "unknown provider \(YAMLFieldReader.quote(name)); "
                             + "\(hint)known: \(known.joined(separator: ", "))")
    }

    private func hedging(_ node: Node) throws(ConfigError) -> RoutingSettings.Hedging {
        var hedging = RoutingSettings.Hedging()
        for (key, _, value) in try reader.mapping(node, "llm.hedging", allowed: ["enabled", "min_delay_ms", "max_share"])
        where value.null == nil {
            let field = "llm.hedging.\(key)"
            switch key {
            case "enabled": hedging.enabled = try reader.bool(value, field)
            case "min_delay_ms": hedging.minDelayMs = try reader.int(value, field, Range.hedgeDelayMs)
            default: hedging.maxShare = try reader.double(value, field, Range.share)
            }
        }
        return hedging
    }

    private func cache(_ node: Node) throws(ConfigError) -> RoutingSettings.Cache {
        var cache = RoutingSettings.Cache()
        let keys = ["enabled", "ttl_hours", "directory", "max_entries"]
        for (key, _, value) in try reader.mapping(node, "llm.cache", allowed: keys) where value.null == nil {
            let field = "llm.cache.\(key)"
            switch key {
            case "enabled": cache.enabled = try reader.bool(value, field)
            case "ttl_hours": cache.ttlHours = try reader.double(value, field, Range.cacheHours)
            case "directory": cache.directory = try reader.string(value, field)
            default: cache.maxEntries = try reader.int(value, field, Range.cacheEntries)
            }
        }
        return cache
    }

    private func providerSettings(_ node: Node, _ path: String) throws(ConfigError) -> RoutingSettings.ProviderSettings {
        var settings = RoutingSettings.ProviderSettings()
        let keys = ["enabled", "priority", "model", "max_retries", "first_token_deadline_ms", "request_timeout_ms",
                    "idle_timeout_ms", "cooldown_seconds", "quota_cooldown_seconds", "failure_threshold",
                    "context_tokens", "price_per_million_input", "price_per_million_output", "limits"]
        for (key, _, value) in try reader.mapping(node, path, allowed: keys) where value.null == nil {
            let field = "\(path).\(key)"
            switch key {
            case "enabled": settings.enabled = try reader.bool(value, field)
            case "priority": settings.priority = try reader.int(value, field, Range.priority)
            case "model": settings.model = try reader.string(value, field)
            case "max_retries": settings.maxRetries = try reader.int(value, field, Range.retries)
            case "first_token_deadline_ms": settings.firstTokenDeadlineMs = try reader.int(value, field, Range.milliseconds)
            case "request_timeout_ms": settings.requestTimeoutMs = try reader.int(value, field, Range.milliseconds)
            case "idle_timeout_ms": settings.idleTimeoutMs = try reader.int(value, field, Range.milliseconds)
            case "cooldown_seconds": settings.cooldownSeconds = try reader.int(value, field, Range.cooldownSeconds)
            case "quota_cooldown_seconds": settings.quotaCooldownSeconds = try reader.int(value, field, Range.cooldownSeconds)
            case "failure_threshold": settings.failureThreshold = try reader.int(value, field, Range.failureThreshold)
            case "context_tokens": settings.contextTokens = try reader.int(value, field, Range.contextTokens)
            case "price_per_million_input": settings.pricePerMillionInput = try reader.double(value, field, Range.pricePerMillion)
            case "price_per_million_output":
                settings.pricePerMillionOutput = try reader.double(value, field, Range.pricePerMillion)
            default: settings.limits = try limits(value, "\(path).limits")
            }
        }
        return settings
    }

    private func limits(_ node: Node, _ path: String) throws(ConfigError) -> RoutingSettings.Limits {
        var limits = RoutingSettings.Limits()
        let keys = ["rpm", "rpd", "tpm", "tpd", "daily_budget_usd", "daily_reset_hour_utc"]
        for (key, _, value) in try reader.mapping(node, path, allowed: keys) where value.null == nil {
            let field = "\(path).\(key)"
            switch key {
            case "rpm": limits.rpm = try reader.int(value, field, Range.requestLimit)
            case "rpd": limits.rpd = try reader.int(value, field, Range.requestLimit)
            case "tpm": limits.tpm = try reader.int(value, field, Range.tokenLimit)
            case "tpd": limits.tpd = try reader.int(value, field, Range.tokenLimit)
            case "daily_budget_usd": limits.dailyBudgetUsd = try reader.double(value, field, Range.budgetUSD)
            default: limits.dailyResetHourUtc = try reader.int(value, field, Range.resetHour)
            }
        }
        return limits
    }

    private func openRouter(_ node: Node) throws(ConfigError) -> RoutingSettings.OpenRouterSettings {
        var settings = RoutingSettings.OpenRouterSettings()
        for (key, _, value) in try reader.mapping(node, "openrouter", allowed: ["mode", "models", "free_requests_per_day"])
        where value.null == nil {
            let field = "openrouter.\(key)"
            switch key {
            case "mode":
                let mode = try reader.string(value, field)
                guard ["client", "server"].contains(mode) else {
                    throw reader.failure(field, value, "must be client or server, not \(YAMLFieldReader.quote(mode))")
                }
                settings.mode = mode
            case "models": settings.models = try reader.strings(value, field)
            default: settings.freeRequestsPerDay = try reader.int(value, field, Range.requestLimit)
            }
        }
        return settings
    }
}
