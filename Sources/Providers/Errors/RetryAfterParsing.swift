import Foundation
import Transport

/// Reads how long a provider asked us to wait before retrying.
///
/// A stopgap until `HTTPResponseHead.retryAfter(now:)` lands from the transport work; keeping it in
/// one internal file makes the swap a one-line change. Never traps: unparseable values give nil.
enum RetryAfterParsing {
    /// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), plus OpenAI's
    /// `retry-after-ms`. Dates in the past give zero.
    static func retryAfter(in headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        if let millis = headers["retry-after-ms"].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }),
           millis.isFinite, millis >= 0 {
            return .milliseconds(Int64(millis.rounded()))
        }
        guard let raw = headers["retry-after"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return nil
        }
        if let seconds = Double(raw) {
            guard seconds.isFinite, seconds >= 0, seconds < 1e9 else { return nil }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        guard let date = httpDate(raw) else { return nil }
        let delta = max(0, date.timeIntervalSince(now))
        return .milliseconds(Int64((delta * 1000).rounded()))
    }

    /// Google's `RetryInfo.retryDelay` ("37s", "1.5s") found in Gemini error bodies.
    static func protobufDuration(_ text: String) -> Duration? {
        guard text.hasSuffix("s"), let seconds = Double(text.dropLast()), seconds.isFinite, seconds >= 0,
              seconds < 1e9 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// IMF-fixdate, then the obsolete RFC 850 and asctime forms that RFC 9110 §5.6.7 says to accept.
    private static func httpDate(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
