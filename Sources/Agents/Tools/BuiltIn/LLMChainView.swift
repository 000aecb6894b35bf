import Foundation
import Providers

/// What the model tools see of the session's LLM: the fallback chain (if any) and the model
/// rotation inside it (if any), plus spoken names for providers. Both come from the capabilities
/// the LLM offers (`LLM.chain`, `LLM.modelSwitching`), not from downcasts to Providers' types.
struct LLMChainView: Sendable {
    var chain: (any LLMChainControl)?
    var rotation: (any ModelSwitching)?
    /// The session's LLM when it is not a chain.
    var bare: any LLM

    static let rotationMemberName = ProviderName.openRouter
    static let lastResortName = ProviderName.local

    static func resolve(_ llm: any LLM) async -> LLMChainView {
        if let chain = llm.chain {
            return LLMChainView(chain: chain, rotation: await chain.modelSwitcher, bare: llm)
        }
        return LLMChainView(chain: nil, rotation: llm.modelSwitching, bare: llm)
    }

    /// How a provider name is said out loud.
    static func spokenName(_ provider: ProviderName) -> String {
        switch provider.rawValue {
        case "openrouter": "OpenRouter"
        case "openai": "OpenAI"
        case "gemini": "Gemini"
        case "anthropic": "Anthropic"
        case "groq": "Groq"
        case "together": "Together AI"
        case "cloudflare": "Cloudflare Workers AI"
        case "local": "the local fallback"
        default: provider.rawValue
        }
    }

    /// One chain member as the model tools describe it.
    struct Member: Sendable, Equatable {
        var name: ProviderName
        var model: String?
        var state: ProviderState
        var isLastResort: Bool
        var cooldownSeconds: Int?
        /// From the provider's catalogue: "200,000-token context, $1.00/$5.00 per M tokens".
        var detail: String? = nil
    }

    /// The chain in routing order, with the rotation's live model in place of the router's last note.
    func members() async -> [Member] {
        guard let chain else {
            let model = await bare.model
            var detail: String?
            if let rotation { detail = Self.detail(await rotation.catalogueEntry(for: model)) }
            return [Member(name: ProviderName(bare.providerName), model: model, state: .available,
                           isLastResort: false, detail: detail)]
        }
        let status = await chain.status()
        var members: [Member] = []
        for provider in status.providers {
            let name = ProviderName(provider.name)
            var model = provider.currentModel
            var detail: String?
            if name == Self.rotationMemberName, let rotation {
                model = await rotation.currentModel
                if let model { detail = Self.detail(await rotation.catalogueEntry(for: model)) }
            }
            members.append(Member(name: name, model: model, state: provider.state,
                                  isLastResort: provider.isLastResort, cooldownSeconds: provider.cooldownSeconds,
                                  detail: detail))
        }
        return members
    }

    /// "OpenRouter, google/gemini-2.0-flash; OpenAI standing by; local fallback ready": who answers
    /// next (the first available provider in routing order), then how every other one stands.
    static func describe(_ members: [Member]) -> String {
        let serving = members.first { $0.state == .available && !$0.isLastResort }
        var parts: [String] = []
        if let serving {
            parts.append([spokenName(serving.name), serving.model].compactMap { $0 }.joined(separator: ", ")
                         + (serving.detail.map { " (\($0))" } ?? ""))
        } else {
            parts.append("No remote provider is available, so the local fallback is answering")
        }
        for member in members where member.name != serving?.name {
            if member.isLastResort {
                if serving != nil { parts.append("local fallback ready") }
                continue
            }
            parts.append("\(spokenName(member.name)) \(standing(member))")
        }
        return parts.joined(separator: "; ")
    }

    /// "200,000-token context, $1.00/$5.00 per M tokens" from a catalogue entry; nil without one.
    static func detail(_ entry: CatalogueModel?) -> String? {
        guard let entry else { return nil }
        var parts: [String] = []
        if let context = entry.contextLength {
            parts.append("\(context.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US"))))-token context")
        }
        if let price = entry.priceText { parts.append(price) }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    static func standing(_ member: Member) -> String {
        let back = member.cooldownSeconds.map { " (back in about \($0) seconds)" } ?? ""
        switch member.state {
        case .available: return "standing by"
        case .coolingDown: return "cooling down\(back)"
        case .rateLimited: return "rate limited\(back)"
        case .quotaExhausted: return "out of quota\(back)"
        case .disabled: return "disabled (check its API key)"
        case .unavailable: return "unavailable (its model is not offered any more)"
        }
    }
}
