import Foundation

/// Resolves what a person typed ("claude", "gemini", "openai/gpt-4o-mini") to one configured model id.
///
/// Used for runtime model switching (a voice command or the status UI), where people say family names,
/// not ids. Exact ids always win, so a precise request is never reinterpreted.
enum OpenRouterModelMatcher {
    /// Family names and the vendor prefixes OpenRouter files them under.
    private static let families: [String: [String]] = [
        "claude": ["anthropic/"],
        "anthropic": ["anthropic/"],
        "gpt": ["openai/"],
        "openai": ["openai/"],
        "gemini": ["google/"],
        "google": ["google/"],
        "llama": ["meta-llama/"],
        "meta": ["meta-llama/"],
        "mistral": ["mistralai/"],
    ]

    static func match(_ query: String, in models: [String]) -> String? {
        let wanted = query.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !wanted.isEmpty else { return nil }
        let lowered = models.map { $0.lowercased() }
        if let exact = lowered.firstIndex(of: wanted) { return models[exact] }
        // "gpt-4o-mini" for "openai/gpt-4o-mini".
        if let bare = lowered.firstIndex(where: { $0.split(separator: "/").last.map(String.init) == wanted }) {
            return models[bare]
        }
        if let prefixes = families[wanted],
           let family = lowered.firstIndex(where: { id in prefixes.contains { id.hasPrefix($0) } }) {
            return models[family]
        }
        if let partial = lowered.firstIndex(where: { $0.contains(wanted) }) { return models[partial] }
        return nil
    }
}
