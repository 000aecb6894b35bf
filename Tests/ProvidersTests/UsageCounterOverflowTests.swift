import Foundation
import Providers
import Testing

/// Issue 9: a usage counter never traps, whatever its limits and whatever a provider reports.
@Suite("Usage counter arithmetic")
struct UsageCounterOverflowTests {
    @Test(arguments: [Int.max, Int.min, 24, -1, 9_223_372_036_854_775_807 / 3600 + 1])
    func anyResetHourGivesADayStartWithinADay(hour: Int) {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let start = UsageCounter.dayStart(containing: now, resetHourUTC: hour)
        #expect(start <= now && now.timeIntervalSince(start) < 86_400)
    }

    @Test func tokenCountsSaturateInsteadOfOverflowing() {
        var limits = UsageLimits()
        limits.tokensPerDay = 1_000
        limits.tokensPerMinute = 1_000
        var counter = UsageCounter(limits: limits)
        counter.roll(now: Date(timeIntervalSince1970: 1_700_000_000))
        counter.recordUsage(tokens: .max, costUSD: .nan)
        counter.recordUsage(tokens: .max, costUSD: -5)
        #expect(counter.tokensToday == .max && counter.costTodayUSD == 0)
        #expect(counter.exceededLimit(estimatedTokens: .max) == .tokensPerDay)
    }
}
