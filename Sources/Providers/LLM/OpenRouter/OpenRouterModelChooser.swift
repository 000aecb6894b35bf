import Foundation

/// Decides which OpenRouter model a spoken request means ("switch to Claude", "use a free model",
/// "the cheapest Gemini", "GPT", an exact id), against the catalogue restricted to text models that
/// call tools, are not expired or expiring, and cost at most the price ceiling per million output
/// tokens. The configured rotation comes first, then the newest (or, for "cheapest", the cheapest)
/// match. Pure: the rotation client supplies the catalogue, the ceiling and `now`.
public struct OpenRouterModelChooser: Sendable {
    public var rotation: [String]
    public var catalogue: ModelCatalogue
    /// USD per million output tokens; a voice command never moves past it.
    public var priceCeiling: Double
    public var now: Date

    public init(rotation: [String], catalogue: ModelCatalogue, priceCeiling: Double, now: Date) {
        self.rotation = rotation
        self.catalogue = catalogue
        self.priceCeiling = priceCeiling
        self.now = now
    }

    /// The model chosen, or why none can be.
    public func choose(_ request: String) -> Result<String, OpenRouterModelSwitchError> {
        let query = Query(request)
        guard !query.isEmpty else { return .failure(refusal(request, reason: nil, family: nil)) }
        // An exact id (or a bare one, "gpt-6-luna") is taken literally, or refused with the reason.
        if let id = query.exactID, let entry = exact(id) {
            if let reason = whyNot(entry) { return .failure(refusal(request, reason: "\(entry.id) \(reason)", family: query.family)) }
            return .success(entry.id)
        }
        let matches = catalogue.models.filter { query.matches($0) }
        let allowed = matches.filter { whyNot($0) == nil }
        if let pick = best(allowed, cheapest: query.cheapest) { return .success(pick) }
        // Refused: say why in terms of what did match.
        let reason: String?
        if let first = best(matches, cheapest: query.cheapest), let why = matches.first(where: { $0.id == first }).flatMap(whyNot) {
            reason = matches.count == 1 ? "\(first) \(why)" : "every matching model is excluded, e.g. \(first) \(why)"
        } else {
            reason = nil
        }
        return .failure(refusal(request, reason: reason, family: query.family))
    }

    /// Why a catalogue model may not be chosen by voice; nil when it may. Configured rotation models
    /// skip the price ceiling: the user chose them in writing.
    public func whyNot(_ entry: CatalogueModel) -> String? {
        if entry.isRetired(now: now) { return "is no longer served" + (entry.shutdownDate.map { " (expired \(ModelCheck.dayText($0)))" } ?? "") }
        if let date = entry.shutdownDate, entry.isExpiring(now: now, within: ModelCheck.warningWindow) {
            return "expires on \(ModelCheck.dayText(date))"
        }
        if entry.producesText == false { return "does not generate text" }
        if entry.supportsTools != true { return "does not support tool calling, which I need" }
        if rotation.contains(entry.id) { return nil }
        guard let price = entry.outputPricePerMillion else { return "has no published price" }
        if price > priceCeiling {
            return "costs $\(CatalogueModel.money(price)) per million output tokens, over the $\(CatalogueModel.money(priceCeiling)) ceiling"
        }
        return nil
    }

    private func exact(_ id: String) -> CatalogueModel? {
        if let entry = catalogue.model(id) { return entry }
        let bare = catalogue.models.filter { $0.id.lowercased().split(separator: "/").last.map(String.init) == id }
        return bare.count == 1 ? bare[0] : nil
    }

    /// Rotation order first, then newest (or cheapest, then newest).
    private func best(_ models: [CatalogueModel], cheapest: Bool) -> String? {
        if let configured = rotation.first(where: { id in models.contains { $0.id == id } }), !cheapest { return configured }
        return models.sorted { a, b in
            if cheapest, (a.outputPricePerMillion ?? .infinity) != (b.outputPricePerMillion ?? .infinity) {
                return (a.outputPricePerMillion ?? .infinity) < (b.outputPricePerMillion ?? .infinity)
            }
            if (a.created ?? .distantPast) != (b.created ?? .distantPast) { return (a.created ?? .distantPast) > (b.created ?? .distantPast) }
            return a.id < b.id
        }.first?.id
    }

    private func refusal(_ request: String, reason: String?, family: Query.Family?) -> OpenRouterModelSwitchError {
        let candidates = catalogue.models.filter { entry in
            whyNot(entry) == nil && (family.map { $0.contains(entry.id) } ?? true)
        }
        var closest = ModelCatalogue(provider: catalogue.provider, fetchedAt: catalogue.fetchedAt, models: candidates)
            .closest(to: family?.word ?? request.lowercased(), limit: 3) { _ in true }.map(\.id)
        if closest.isEmpty { closest = rotation }
        return OpenRouterModelSwitchError(requested: request, availableModels: rotation, reason: reason, closest: closest)
    }

    /// What a spoken request asks for.
    struct Query {
        struct Family {
            var word: String
            var prefixes: [String]
            func contains(_ id: String) -> Bool {
                let id = id.lowercased()
                return prefixes.contains { id.hasPrefix($0) } || id.split(separator: "/").last?.contains(word) == true
            }
        }

        /// Family words and the vendor prefixes OpenRouter files them under.
        static let families: [String: [String]] = [
            "claude": ["anthropic/"], "anthropic": ["anthropic/"],
            "gpt": ["openai/gpt"], "openai": ["openai/"], "chatgpt": ["openai/gpt"],
            "gemini": ["google/gemini"], "google": ["google/"], "gemma": ["google/gemma"],
            "llama": ["meta-llama/"], "meta": ["meta-llama/"],
            "mistral": ["mistralai/"], "grok": ["x-ai/"], "deepseek": ["deepseek/"], "qwen": ["qwen/"],
        ]
        static let noise: Set<String> = ["a", "an", "any", "one", "the", "model", "models", "some", "please", "use",
                                         "switch", "to", "me", "give", "most", "least", "expensive", "version"]

        var free = false
        var cheapest = false
        var family: Family?
        var words: [String] = []
        var exactID: String?

        init(_ request: String) {
            let lowered = request.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
            for word in lowered.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) {
                switch word {
                case "free": free = true
                case "cheapest", "cheap", "cheaper", "lowest-cost": cheapest = true
                case _ where Self.noise.contains(word): continue
                default:
                    if family == nil, let prefixes = Self.families[word] { family = Family(word: word, prefixes: prefixes) } else { words.append(word) }
                }
            }
            // "anthropic/claude-haiku-5-5", "gpt-6-luna", "x:free": one word with an id's punctuation.
            if family == nil, words.count == 1, let word = words.first, word.contains(where: { "/-.:".contains($0) }) {
                exactID = word
            }
        }

        var isEmpty: Bool { !free && !cheapest && family == nil && words.isEmpty }

        func matches(_ entry: CatalogueModel) -> Bool {
            let id = entry.id.lowercased()
            if free, !entry.isFree { return false }
            if let family, !family.contains(id) { return false }
            let name = (entry.displayName ?? "").lowercased()
            return words.allSatisfy { id.contains($0) || name.contains($0) }
        }
    }
}
