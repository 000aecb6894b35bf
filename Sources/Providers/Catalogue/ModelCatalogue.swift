import Foundation

/// Every model one provider lists, as fetched at `fetchedAt`: what the start-up check and the voice
/// model switch look models up in.
public struct ModelCatalogue: Codable, Sendable, Equatable {
    /// The provider's name ("openai", "openrouter").
    public var provider: String
    public var fetchedAt: Date
    public var models: [CatalogueModel]

    public init(provider: String, fetchedAt: Date, models: [CatalogueModel]) {
        self.provider = provider
        self.fetchedAt = fetchedAt
        self.models = models
    }

    /// The model `id` names: exact first, then case-insensitive, then without Gemini's `models/`
    /// prefix or a trailing `-latest` alias of a listed id.
    public func model(_ id: String) -> CatalogueModel? {
        let wanted = Self.normalized(id)
        if let exact = models.first(where: { $0.id == id }) { return exact }
        return models.first { Self.normalized($0.id) == wanted }
    }

    static func normalized(_ id: String) -> String {
        var id = id.trimmingCharacters(in: .whitespaces).lowercased()
        if id.hasPrefix("models/") { id.removeFirst("models/".count) }
        return id
    }

    /// Listed models closest to `id` that `isAllowed` accepts (same family first, then by shared
    /// prefix, newest first): the "try one of these" of a refusal or a dead-model line.
    public func closest(to id: String, limit: Int = 3, where isAllowed: (CatalogueModel) -> Bool) -> [CatalogueModel] {
        let wanted = Self.normalized(id)
        let vendor = wanted.split(separator: "/").first.map(String.init) ?? wanted
        let stem = Self.stem(wanted)
        func score(_ model: CatalogueModel) -> Int {
            let candidate = Self.normalized(model.id)
            var score = Self.commonPrefixLength(candidate, wanted)
            if Self.stem(candidate) == stem { score += 100 }
            if wanted.contains("/"), candidate.hasPrefix(vendor + "/") { score += 50 }
            return score
        }
        return models.filter(isAllowed)
            .map { (model: $0, score: score($0)) }
            .sorted { ($0.score, $0.model.created ?? .distantPast) > ($1.score, $1.model.created ?? .distantPast) }
            .prefix(limit).map(\.model)
    }

    /// The family word of an id: "claude" for "anthropic/claude-haiku-5-5", "gpt" for "gpt-6-luna".
    static func stem(_ id: String) -> String {
        let name = id.split(separator: "/").last.map(String.init) ?? id
        return String(name.prefix { $0.isLetter })
    }

    static func commonPrefixLength(_ a: String, _ b: String) -> Int {
        zip(a, b).prefix { $0 == $1 }.count
    }
}
