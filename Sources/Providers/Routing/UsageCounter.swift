import Foundation

/// Requests, tokens and spend per minute and per day for one provider, with the daily window
/// aligned to a reset hour in UTC. Pure value type: callers pass `now`.
public struct UsageCounter: Sendable, Equatable {
    public let limits: UsageLimits
    public private(set) var minuteStart: Date = .distantPast
    public private(set) var requestsThisMinute = 0
    public private(set) var tokensThisMinute = 0
    public private(set) var dayStart: Date = .distantPast
    public private(set) var requestsToday = 0
    public private(set) var tokensToday = 0
    public private(set) var costTodayUSD = 0.0

    public init(limits: UsageLimits) { self.limits = limits }

    /// Rolls the minute and day windows forward to contain `now`.
    public mutating func roll(now: Date) {
        let minute = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 60).rounded(.down) * 60)
        if minute != minuteStart {
            minuteStart = minute
            requestsThisMinute = 0
            tokensThisMinute = 0
        }
        let day = Self.dayStart(containing: now, resetHourUTC: limits.dailyResetHourUTC)
        if day != dayStart {
            dayStart = day
            requestsToday = 0
            tokensToday = 0
            costTodayUSD = 0
        }
    }

    /// Start of the daily window (at `resetHourUTC`) that contains `date`.
    /// Any `resetHourUTC` is taken modulo 24, so no configured value can overflow the arithmetic
    /// (`steadfast.yaml` already refuses anything outside 0...23).
    public static func dayStart(containing date: Date, resetHourUTC: Int) -> Date {
        let offset = Double((resetHourUTC % 24 + 24) % 24 * 3600)
        let shifted = date.timeIntervalSince1970 - offset
        return Date(timeIntervalSince1970: (shifted / 86_400).rounded(.down) * 86_400 + offset)
    }

    /// When the current daily window ends.
    public var nextDailyReset: Date { dayStart.addingTimeInterval(86_400) }

    /// Why a request estimated at `tokens` would break a limit now, or nil when it fits.
    public func exceededLimit(estimatedTokens tokens: Int) -> LimitExceeded? {
        if let rpd = limits.requestsPerDay, requestsToday >= rpd { return .requestsPerDay }
        if let tpd = limits.tokensPerDay, Self.sum(tokensToday, tokens) > tpd { return .tokensPerDay }
        if let budget = limits.dailyBudgetUSD, costTodayUSD >= budget { return .dailyBudget }
        if let rpm = limits.requestsPerMinute, requestsThisMinute >= rpm { return .requestsPerMinute }
        if let tpm = limits.tokensPerMinute, Self.sum(tokensThisMinute, tokens) > tpm { return .tokensPerMinute }
        return nil
    }

    public mutating func recordRequest() {
        requestsThisMinute = Self.sum(requestsThisMinute, 1)
        requestsToday = Self.sum(requestsToday, 1)
    }

    /// Gives back a request slot that was claimed but never used (a backup that was not needed).
    public mutating func refundRequest() {
        requestsThisMinute = max(0, requestsThisMinute - 1)
        requestsToday = max(0, requestsToday - 1)
    }

    /// Token counts come from provider responses; they saturate rather than overflow, and a
    /// negative or non-finite cost is ignored.
    public mutating func recordUsage(tokens: Int, costUSD: Double) {
        tokensThisMinute = Self.sum(tokensThisMinute, tokens)
        tokensToday = Self.sum(tokensToday, tokens)
        if costUSD.isFinite, costUSD > 0 { costTodayUSD += costUSD }
    }

    /// `a + b`, clamped to `Int`'s range instead of trapping.
    private static func sum(_ a: Int, _ b: Int) -> Int {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : value
    }
}

/// Which limit a provider would break.
public enum LimitExceeded: String, Sendable, Equatable, Codable {
    case requestsPerMinute, requestsPerDay, tokensPerMinute, tokensPerDay, dailyBudget

    /// Daily limits keep a provider out until the daily reset; per-minute ones until the next minute.
    public var isDaily: Bool { self == .requestsPerDay || self == .tokensPerDay || self == .dailyBudget }
}
