import Foundation
import Testing
@testable import Transport

/// `Retry-After` and `x-ratelimit-*` parsing: providers' real header shapes, and garbage that must yield nil.
@Suite struct RateLimitHeaderTests {
    /// 2024-01-01T00:00:00Z, a fixed "now" so date arithmetic is exact.
    static let now = Date(timeIntervalSince1970: 1_704_067_200)

    static let retryAfterCases: [(headers: [(String, String)], expected: Duration?)] = [
        ([("Retry-After", "120")], .seconds(120)),
        ([("retry-after", " 7 ")], .seconds(7)),
        ([("Retry-After", "0")], .zero),
        ([("Retry-After", "-5")], .zero),
        ([("Retry-After", "Mon, 01 Jan 2024 00:00:30 GMT")], .seconds(30)),
        ([("Retry-After", "Monday, 01-Jan-24 00:01:00 GMT")], .seconds(60)),
        ([("Retry-After", "Mon Jan  1 00:00:10 2024")], .seconds(10)),
        ([("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")], .zero),
        ([("Retry-After", "soon")], nil),
        ([("Retry-After", "Mon, 32 Jan 2024 00:00:30 GMT")], nil),
        ([("Retry-After", "Mon, 01 Foo 2024 00:00:30 GMT")], nil),
        ([("Retry-After", "")], nil),
        ([], nil),
        ([("retry-after-ms", "1500"), ("Retry-After", "2")], .milliseconds(1500)),
        ([("retry-after-ms", "-3")], .zero),
    ]

    @Test(arguments: retryAfterCases)
    func retryAfter(headers: [(String, String)], expected: Duration?) {
        let head = HTTPResponseHead(status: 429, headers: HTTPHeaders(headers))
        #expect(head.retryAfter(now: Self.now) == expected)
    }

    static let durationCases: [(String, Duration?)] = [
        ("2m59.56s", .milliseconds(179_560)),
        ("7.66s", .milliseconds(7660)),
        ("1s", .seconds(1)),
        ("120ms", .milliseconds(120)),
        ("1h2m3s", .seconds(3723)),
        ("3", .seconds(3)),
        ("", nil),
        ("abc", nil),
        ("5x", nil),
        ("s", nil),
    ]

    @Test(arguments: durationCases)
    func resetDurations(text: String, expected: Duration?) {
        #expect(RateLimitDuration.parse(text) == expected)
    }

    @Test func groqStyleHeaders() {
        let head = HTTPResponseHead(status: 200, headers: [
            "x-ratelimit-limit-requests": "14400", "x-ratelimit-remaining-requests": "14370",
            "x-ratelimit-reset-requests": "2m59.56s", "x-ratelimit-limit-tokens": "18000",
            "x-ratelimit-remaining-tokens": "17997", "x-ratelimit-reset-tokens": "7.66s",
        ])
        #expect(head.rateLimit(now: Self.now) == RateLimitInfo(
            limitRequests: 14400, remainingRequests: 14370, resetRequests: .milliseconds(179_560),
            limitTokens: 18000, remainingTokens: 17997, resetTokens: .milliseconds(7660)))
    }

    @Test func openRouterStyleHeaders() {
        let resetMs = Int(Self.now.timeIntervalSince1970 * 1000) + 42_000
        let head = HTTPResponseHead(status: 200, headers: [
            "X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "19", "X-RateLimit-Reset": "\(resetMs)",
        ])
        #expect(head.rateLimit(now: Self.now) == RateLimitInfo(
            limitRequests: 20, remainingRequests: 19, resetRequests: .seconds(42)))
    }

    @Test func pastResetAndGarbageValues() {
        let head = HTTPResponseHead(status: 200, headers: [
            "X-RateLimit-Limit": "many", "X-RateLimit-Remaining": "3", "X-RateLimit-Reset": "1000",
            "x-ratelimit-reset-tokens": "later",
        ])
        #expect(head.rateLimit(now: Self.now) == RateLimitInfo(remainingRequests: 3, resetRequests: .zero))
        #expect(HTTPResponseHead(status: 200, headers: [:]).rateLimit.isEmpty)
    }
}
