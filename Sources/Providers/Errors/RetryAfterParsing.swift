import Foundation
import Transport

/// Retry delays found in provider error bodies (HTTP headers are parsed by
/// `HTTPResponseHead.retryAfter(now:)` in Transport). Never traps: unparseable values give nil.
enum RetryAfterParsing {
    /// Google's `RetryInfo.retryDelay` ("37s", "1.5s") found in Gemini error bodies.
    static func protobufDuration(_ text: String) -> Duration? {
        guard text.hasSuffix("s"), let seconds = Double(text.dropLast()), seconds.isFinite, seconds >= 0,
              seconds < 1e9 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
