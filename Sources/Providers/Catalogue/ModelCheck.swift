import Foundation

/// What a configured model is for: the agent's LLM must call tools; speech models must only exist.
public enum ModelRole: String, Sendable, Equatable {
    case llm = "LLM", stt = "STT", tts = "TTS"
}

/// One configured model looked up in its provider's catalogue: listed or not, until when, with
/// tools or not, at what price, and the verdict with the one line that explains it.
public struct ModelCheck: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        case ok
        /// Works today, shuts down within 30 days.
        case expiring(Date)
        /// Cannot serve: the member is marked unavailable.
        case dead(String)
        /// No catalogue to look in (none published, or the fetch failed with no cached copy).
        case unchecked(String)
    }

    public var provider: String
    public var model: String
    public var role: ModelRole
    /// nil: no catalogue to say.
    public var listed: Bool?
    public var entry: CatalogueModel?
    public var verdict: Verdict
    /// Current models close to this one, for the "try instead" half of the line.
    public var alternatives: [String]

    /// How far ahead a shutdown is announced as a warning.
    public static let warningWindow: TimeInterval = 30 * 86_400

    public static func evaluate(provider: String, model: String, role: ModelRole, catalogue: ModelCatalogue?,
                                unavailableBecause catalogueError: CatalogueError? = nil, now: Date) -> ModelCheck {
        var check = ModelCheck(provider: provider, model: model, role: role, listed: nil, entry: nil,
                               verdict: .ok, alternatives: [])
        guard let catalogue else {
            check.verdict = .unchecked(catalogueError.map { "\($0.message)" } ?? "\(provider) publishes no model list we read")
            return check
        }
        let entry = catalogue.model(model)
        check.listed = entry != nil
        check.entry = entry
        let reason: String?
        if let entry {
            reason = deadReason(entry, role: role, now: now)
            if reason == nil, entry.isExpiring(now: now, within: warningWindow), let date = entry.shutdownDate {
                check.verdict = .expiring(date)
            }
        } else {
            reason = "is not listed by \(provider) (retired, renamed or misspelt)"
        }
        if let reason { check.verdict = .dead(reason) }
        if check.verdict != .ok {
            check.alternatives = catalogue.closest(to: model) { isCurrent($0, role: role, now: now) && $0.id != model }
                .map(\.id)
        }
        return check
    }

    /// Why `entry` cannot serve `role`, or nil when it can.
    static func deadReason(_ entry: CatalogueModel, role: ModelRole, now: Date) -> String? {
        if entry.active == false { return "is listed but not active" }
        if let date = entry.shutdownDate, date <= now { return "was shut down on \(dayText(date))" }
        guard role == .llm else { return nil }
        if entry.producesText == false { return "does not generate text" }
        if entry.supportsTools == false { return "does not support tool calling, which the agent needs" }
        return nil
    }

    /// A model worth suggesting: serves `role` and is not about to go.
    static func isCurrent(_ entry: CatalogueModel, role: ModelRole, now: Date) -> Bool {
        deadReason(entry, role: role, now: now) == nil && !entry.isExpiring(now: now, within: warningWindow)
    }

    public var isDead: Bool { if case .dead = verdict { true } else { false } }

    /// "openai gpt-4o-mini (LLM): was shut down on 2027-01-14; try gpt-6-luna, gpt-6-luna-mini", or nil when all is well.
    public var line: String? {
        let subject = "\(provider) \(model) (\(role.rawValue))"
        let instead = alternatives.isEmpty ? "" : "; try \(alternatives.joined(separator: ", "))"
        switch verdict {
        case .ok: return nil
        case .expiring(let date): return "\(subject): shuts down on \(Self.dayText(date)), within 30 days\(instead)"
        case .dead(let reason): return "\(subject) \(reason)\(instead)"
        case .unchecked(let why): return "\(subject): not checked (\(why))"
        }
    }

    static func dayText(_ date: Date) -> String {
        String(date.ISO8601Format().prefix(10))
    }
}
