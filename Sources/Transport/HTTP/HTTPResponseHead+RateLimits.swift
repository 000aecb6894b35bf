import Foundation

extension HTTPResponseHead {
    /// How long the server asked us to wait before retrying (429/503), or nil if it did not say
    /// (or said something unparseable — a bad header must never stall a caller).
    ///
    /// Reads `retry-after-ms` (milliseconds, sent by OpenAI-compatible APIs) first, being more
    /// precise, then `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP-date in any of the
    /// three forms of RFC 9110 §5.6.7. Negative values and dates in the past mean "now" (`.zero`).
    public func retryAfter(now: Date = Date()) -> Duration? {
        if let text = headers["retry-after-ms"]?.trimmingWhitespace(), let ms = Double(text), ms.isFinite {
            return ms <= 0 ? .zero : .milliseconds(Int64(min(ms, 1e15)))
        }
        guard let text = headers["retry-after"]?.trimmingWhitespace(), !text.isEmpty else { return nil }
        if let seconds = Int64(text) { return seconds <= 0 ? .zero : .seconds(seconds) }
        guard let date = HTTPDate.parse(text, now: now) else { return nil }
        let interval = date.timeIntervalSince(now)
        return interval <= 0 ? .zero : .milliseconds(Int64(interval * 1000))
    }

    /// Rate-limit state from the provider's headers, as of now.
    public var rateLimit: RateLimitInfo { rateLimit(now: Date()) }

    /// Rate-limit state from the provider's headers. Groq/OpenAI send `x-ratelimit-{limit,remaining,reset}-
    /// {requests,tokens}` with reset as a duration ("2m59.56s"); OpenRouter sends `X-RateLimit-{Limit,
    /// Remaining,Reset}` with reset as epoch milliseconds, mapped onto the `*Requests` fields.
    /// Unparseable values are left nil.
    public func rateLimit(now: Date) -> RateLimitInfo {
        func int(_ name: String) -> Int? { headers[name].flatMap { Int($0.trimmingWhitespace()) } }
        var info = RateLimitInfo(
            limitRequests: int("x-ratelimit-limit-requests"),
            remainingRequests: int("x-ratelimit-remaining-requests"),
            resetRequests: headers["x-ratelimit-reset-requests"].flatMap(RateLimitDuration.parse),
            limitTokens: int("x-ratelimit-limit-tokens"),
            remainingTokens: int("x-ratelimit-remaining-tokens"),
            resetTokens: headers["x-ratelimit-reset-tokens"].flatMap(RateLimitDuration.parse))
        info.limitRequests = info.limitRequests ?? int("x-ratelimit-limit")
        info.remainingRequests = info.remainingRequests ?? int("x-ratelimit-remaining")
        if info.resetRequests == nil, let epochMs = headers["x-ratelimit-reset"].flatMap({ Double($0.trimmingWhitespace()) }),
           epochMs.isFinite {
            let ms = epochMs - now.timeIntervalSince1970 * 1000
            info.resetRequests = ms <= 0 ? .zero : .milliseconds(Int64(min(ms, 1e15)))
        }
        return info
    }
}

/// Go-style duration strings as Groq and OpenAI send them: "2m59.56s", "7.66s", "1s", "120ms",
/// "1h2m". A bare number is seconds.
enum RateLimitDuration {
    static func parse(_ raw: String) -> Duration? {
        let text = raw.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite, seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        var total = 0.0  // seconds
        var rest = Substring(text)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            case "ms": total += value / 1000
            case "us", "µs": total += value / 1_000_000
            case "ns": total += value / 1_000_000_000
            default: return nil
            }
        }
        guard total.isFinite, total < 1e12 else { return nil }
        return .nanoseconds(Int64((total * 1e9).rounded()))
    }
}

/// HTTP-date parsing (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms
/// that recipients must still accept. Hand-written so it does not depend on locale settings.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String, now: Date) -> Date? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let day: Int?, month: Int?, year: Int?, time: String
        switch parts.count {
        case 6 where parts[0].hasSuffix(","):  // Sun, 06 Nov 1994 08:49:37 GMT
            guard parts[5] == "GMT" else { return nil }
            (day, month, year, time) = (Int(parts[1]), monthIndex(parts[2]), Int(parts[3]), parts[4])
        case 4 where parts[0].hasSuffix(","):  // Sunday, 06-Nov-94 08:49:37 GMT
            let dmy = parts[1].split(separator: "-").map(String.init)
            guard parts[3] == "GMT", dmy.count == 3, dmy[2].count == 2, let yy = Int(dmy[2]) else { return nil }
            (day, month, year, time) = (Int(dmy[0]), monthIndex(dmy[1]), twoDigitYear(yy, now: now), parts[2])
        case 5:  // Sun Nov  6 08:49:37 1994
            (day, month, year, time) = (Int(parts[2]), monthIndex(parts[1]), Int(parts[4]), parts[3])
        default:
            return nil
        }
        let hms = time.split(separator: ":").compactMap { Int($0) }
        guard let day, let month, let year, hms.count == 3, (1...31).contains(day), (1...9999).contains(year),
              (0...23).contains(hms[0]), (0...59).contains(hms[1]), (0...60).contains(hms[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let components = DateComponents(year: year, month: month, day: day, hour: hms[0], minute: hms[1], second: hms[2])
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }

    private static func monthIndex(_ name: String) -> Int? { months.firstIndex(of: name.lowercased()).map { $0 + 1 } }

    /// RFC 9110 §5.6.7: a two-digit year more than 50 years in the future means the previous century.
    private static func twoDigitYear(_ yy: Int, now: Date) -> Int {
        let thisYear = Calendar(identifier: .gregorian).component(.year, from: now)
        let candidate = thisYear / 100 * 100 + yy
        return candidate > thisYear + 50 ? candidate - 100 : candidate
    }
}
