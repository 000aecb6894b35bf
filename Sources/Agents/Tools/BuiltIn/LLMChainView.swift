import Providers

/// What the model tools see of the session's LLM: the fallback chain (if any) and the OpenRouter
/// rotation inside it (if any), plus spoken names for providers.
struct LLMChainView: Sendable {
    var router: FallbackRouter<LLMCapability>?
    var rotation: OpenRouterRotationClient?
    /// The session's LLM when it is not a chain.
    var bare: any LLM

    static let rotationMemberName = "openrouter"
    static let lastResortName = "local"

    static func resolve(_ llm: any LLM) async -> LLMChainView {
        if let router = (llm as? FallbackLLM)?.router {
            let rotation = await router.membersInOrder.lazy.compactMap { $0.service as? OpenRouterRotationClient }.first
            return LLMChainView(router: router, rotation: rotation, bare: llm)
        }
        return LLMChainView(router: nil, rotation: llm as? OpenRouterRotationClient, bare: llm)
    }

    /// How a provider name is said out loud.
    static func spokenName(_ provider: String) -> String {
        switch provider {
        case "openrouter": "OpenRouter"
        case "openai": "OpenAI"
        case "gemini": "Gemini"
        case "anthropic": "Anthropic"
        case "groq": "Groq"
        case "together": "Together AI"
        case "cloudflare": "Cloudflare Workers AI"
        case "local": "the local fallback"
        default: provider
        }
    }

    /// One chain member as the model tools describe it.
    struct Member: Sendable, Equatable {
        var name: String
        var model: String?
        var state: ProviderState
        var isLastResort: Bool
        var cooldownSeconds: Int?
    }

    /// The chain in routing order, with the rotation's live model in place of the router's last note.
    func members() async -> [Member] {
        guard let router else {
            return [Member(name: bare.providerName, model: await bare.model, state: .available, isLastResort: false)]
        }
        let status = await router.status()
        var members: [Member] = []
        for provider in status.providers {
            var model = provider.currentModel
            if provider.name == Self.rotationMemberName, let rotation { model = await rotation.currentModel }
            members.append(Member(name: provider.name, model: model, state: provider.state,
                                  isLastResort: provider.isLastResort, cooldownSeconds: provider.cooldownSeconds))
        }
        return members
    }

    /// "OpenRouter, google/gemini-2.0-flash; OpenAI standing by; local fallback ready": who answers
    /// next (the first available provider in routing order), then how every other one stands.
    static func describe(_ members: [Member]) -> String {
        let serving = members.first { $0.state == .available && !$0.isLastResort }
        var parts: [String] = []
        if let serving {
            parts.append([spokenName(serving.name), serving.model].compactMap { $0 }.joined(separator: ", "))
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

    static func standing(_ member: Member) -> String {
        let back = member.cooldownSeconds.map { " (back in about \($0) seconds)" } ?? ""
        switch member.state {
        case .available: return "standing by"
        case .coolingDown: return "cooling down\(back)"
        case .rateLimited: return "rate limited\(back)"
        case .quotaExhausted: return "out of quota\(back)"
        case .disabled: return "disabled (check its API key)"
        }
    }
}
