import Foundation

/// One model as a vendor's list-models endpoint describes it, reduced to what Steadfast decides on:
/// is it there, until when, can it call tools, what does it cost, how much does it read.
///
/// Every field but `id` is optional because vendors publish different subsets (OpenAI: a shutdown
/// date and nothing about tools; Gemini: generation methods and token limits; OpenRouter: all of it).
public struct CatalogueModel: Codable, Sendable, Equatable, Hashable {
    /// The id a request names (Gemini's `models/` prefix removed).
    public var id: String
    public var displayName: String?
    /// When the vendor added it; orders "the newest in a family".
    public var created: Date?
    /// The announced shutdown (OpenAI `shutdown_date`) or expiry (OpenRouter `expiration_date`).
    public var shutdownDate: Date?
    /// nil: the vendor does not say.
    public var supportsTools: Bool?
    /// False for embedding, image, audio-only or moderation models; nil: the vendor does not say.
    public var producesText: Bool?
    public var contextLength: Int?
    /// USD per million tokens.
    public var inputPricePerMillion: Double?
    public var outputPricePerMillion: Double?
    /// Groq's `active` flag; false means listed but not served.
    public var active: Bool?

    public init(id: String, displayName: String? = nil, created: Date? = nil, shutdownDate: Date? = nil,
                supportsTools: Bool? = nil, producesText: Bool? = nil, contextLength: Int? = nil,
                inputPricePerMillion: Double? = nil, outputPricePerMillion: Double? = nil, active: Bool? = nil) {
        self.id = id
        self.displayName = displayName
        self.created = created
        self.shutdownDate = shutdownDate
        self.supportsTools = supportsTools
        self.producesText = producesText
        self.contextLength = contextLength
        self.inputPricePerMillion = inputPricePerMillion
        self.outputPricePerMillion = outputPricePerMillion
        self.active = active
    }

    /// Past its shutdown date at `now`, or switched off by the vendor.
    public func isRetired(now: Date) -> Bool {
        if active == false { return true }
        guard let shutdownDate else { return false }
        return shutdownDate <= now
    }

    /// Shuts down within `window` of `now` (and not yet).
    public func isExpiring(now: Date, within window: TimeInterval = 30 * 86_400) -> Bool {
        guard let shutdownDate, shutdownDate > now else { return false }
        return shutdownDate.timeIntervalSince(now) <= window
    }

    /// Both prices zero: OpenRouter's `:free` variants.
    public var isFree: Bool {
        id.hasSuffix(":free") || (inputPricePerMillion == 0 && outputPricePerMillion == 0)
    }

    /// "$0.10/$0.50 per M tokens", or nil when the vendor publishes no price.
    public var priceText: String? {
        guard let output = outputPricePerMillion else { return nil }
        return "$\(Self.money(inputPricePerMillion ?? 0))/$\(Self.money(output)) per M tokens"
    }

    static func money(_ value: Double) -> String {
        let text = String(format: "%.3f", value)
        // 0.100 → 0.10, 3.000 → 3.00: two decimals at least, a third only when it carries something.
        return text.hasSuffix("0") ? String(text.dropLast()) : text
    }

    /// The day a date-only field (`2026-10-23`) names, at 00:00 UTC; nil for anything else.
    static func day(_ text: String?) -> Date? {
        guard let text, text.utf8.count == 10 else { return nil }
        let parts = text.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, day)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(from: components)
    }

    /// RFC 3339 (`2025-02-19T00:00:00Z`, Anthropic `created_at`) or a date-only string.
    static func instant(_ text: String?) -> Date? {
        guard let text else { return nil }
        if let date = day(text) { return date }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// A Unix timestamp in seconds, when it is a sane one.
    static func unixTime(_ value: Double?) -> Date? {
        guard let value, value.isFinite, value > 0, value < 1e11 else { return nil }
        return Date(timeIntervalSince1970: value)
    }
}
