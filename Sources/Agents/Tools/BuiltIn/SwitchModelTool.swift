import Logging
import Providers
import SteadfastConfig

/// `switchModel(model)`: the headline voice command ("switch to Gemini", "use Claude", "go back to
/// the default"). Switches the OpenRouter rotation's model, or makes another provider of the chain
/// the primary; applies from the session's next LLM call, is logged, and answers with a sentence
/// to speak. Anything it cannot do gets a reply listing what it can.
public struct SwitchModelTool: Tool {
    public static let toolName = "switchModel"

    struct Arguments: Decodable, Sendable {
        let model: String
    }

    private let typed: TypedTool<Arguments>

    public init() {
        typed = TypedTool(
            name: Self.toolName,
            description: "Switches the AI model or provider answering in this conversation. Accepts model or "
                + "provider names (gemini, claude, gpt, llama, openai, anthropic) or \"default\" to go back.",
            argumentDescriptions: ["model": "The model or provider the user asked for, e.g. \"claude\" or \"default\""]) {
            (arguments: Arguments, context) in
            try await Self.switchModel(to: arguments.model, context: context)
        }
    }

    public var name: String { typed.name }
    public var description: String { typed.description }
    public var parameters: JSONValue { typed.parameters }

    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        try await typed.execute(arguments: arguments, context: context)
    }

    // MARK: - Deciding

    static let fillerPhrases = ["please", "switch to", "switch back to", "change to", "go back to", "back to", "use",
                                "the", "model", "provider"]
    static let defaultWords: Set<String> = ["default", "defaults", "original", "usual", "normal", "reset", "back",
                                            "go back", "revert", "undo"]

    /// "Go back to the default model please" → "default"; "use Claude" → "claude".
    static func normalize(_ request: String) -> String {
        var words = " " + request.lowercased().filter { $0.isLetter || $0.isNumber || " -./:_".contains($0) } + " "
        for phrase in fillerPhrases { words = words.replacingOccurrences(of: " \(phrase) ", with: " ") }
        return words.split(separator: " ").joined(separator: " ")
    }

    static func switchModel(to request: String, context: ToolContext) async throws -> String {
        guard let session = context.session else { throw ToolError("model switching is not available here") }
        let view = await LLMChainView.resolve(await session.llm)
        let wanted = normalize(request)
        let members = await view.members()
        let logger = context.logger

        if wanted.isEmpty || defaultWords.contains(wanted) {
            await view.chain?.prefer(nil)
            if let rotation = view.rotation, let first = await rotation.availableModels.first {
                _ = try? await rotation.switchModel(to: first)
            }
            let now = LLMChainView.describe(await view.members())
            log(logger, request: request, provider: nil, model: nil, agent: context.agentName)
            return "Switched back to the default setup: \(now)."
        }
        // 1. A provider of the chain, by name ("openai", "anthropic", "claude" → anthropic, "local").
        if let chain = view.chain, let member = providerMember(named: wanted, in: members) {
            guard member.state == .available else {
                return "\(LLMChainView.spokenName(member.name)) is \(LLMChainView.standing(member)) right now, so I "
                    + "stayed where I am. " + (await options(view, members))
            }
            await chain.prefer(member.name)
            log(logger, request: request, provider: member.name, model: member.model, agent: context.agentName)
            return "Switched to \(LLMChainView.spokenName(member.name))"
                + (member.model.map { " (\($0))" } ?? "") + "; it answers from my next reply."
        }
        // 2. An OpenRouter model: the rotation first, then OpenRouter's whole catalogue ("claude",
        // "a free model", "the cheapest gemini", an exact id), tool-capable and under the price ceiling.
        if let rotation = view.rotation {
            do {
                let model = try await rotation.switchModel(to: wanted)
                if let chain = view.chain {
                    await chain.prefer(LLMChainView.rotationMemberName)
                    await chain.noteModel(model, for: LLMChainView.rotationMemberName)
                }
                log(logger, request: request, provider: LLMChainView.rotationMemberName, model: model, agent: context.agentName)
                let detail = LLMChainView.detail(await rotation.catalogueEntry(for: model)).map { " (\($0))" } ?? ""
                var reply = "Switched to \(model) on OpenRouter\(detail); it answers from my next reply."
                if let member = members.first(where: { $0.name == LLMChainView.rotationMemberName }), member.state != .available {
                    reply += " OpenRouter is \(LLMChainView.standing(member)) though, so another provider answers until it is back."
                }
                return reply
            } catch let refusal {
                // The catalogue's answer (why, and the closest allowed models) is the reply; without a
                // catalogue, other chain members may still match below.
                if refusal.reason != nil || !refusal.closest.isEmpty {
                    return await answerRefusal(refusal, request: request, view: view, members: members, context: context)
                }
            }
        }
        // 3. Another provider whose model matches ("llama" served by Groq).
        if let chain = view.chain,
           let member = members.first(where: { !$0.isLastResort && ($0.model?.lowercased().contains(wanted) ?? false) }) {
            guard member.state == .available else {
                return "\(LLMChainView.spokenName(member.name)) is \(LLMChainView.standing(member)) right now. "
                    + (await options(view, members))
            }
            await chain.prefer(member.name)
            log(logger, request: request, provider: member.name, model: member.model, agent: context.agentName)
            return "Switched to \(LLMChainView.spokenName(member.name)) (\(member.model ?? wanted)); it answers from my next reply."
        }
        return "I can't switch to \"\(request)\": it is not configured here. " + (await options(view, members))
    }

    /// OpenRouter refused: another chain member whose model matches still wins ("llama" on Groq);
    /// otherwise the refusal is the answer, with why and the closest allowed models.
    static func answerRefusal(_ refusal: ModelSwitchError, request: String, view: LLMChainView,
                              members: [LLMChainView.Member], context: ToolContext) async -> String {
        let wanted = normalize(request)
        if let chain = view.chain,
           let member = members.first(where: { !$0.isLastResort && $0.name != LLMChainView.rotationMemberName
                                                && ($0.model?.lowercased().contains(wanted) ?? false) }),
           member.state == .available {
            await chain.prefer(member.name)
            log(context.logger, request: request, provider: member.name, model: member.model, agent: context.agentName)
            return "Switched to \(LLMChainView.spokenName(member.name)) (\(member.model ?? wanted)); it answers from my next reply."
        }
        context.logger.notice("LLM switch refused", metadata: [
            "agent.name": "\(context.agentName)", "llm.requested": "\(request)", "reason": "\(refusal.reason ?? "no match")",
        ])
        let current = await view.rotation?.currentModel
        return "I can't switch to \"\(request)\": \(refusal.description)." + (current.map { " I stayed on \($0)." } ?? "")
    }

    static func providerMember(named wanted: String, in members: [LLMChainView.Member]) -> LLMChainView.Member? {
        let name = ["offline": ProviderName.local, "fallback": .local][wanted]
            ?? ProviderID(name: wanted).map(ProviderName.init) ?? ProviderName(wanted)
        return members.first { $0.name == name }
    }

    static func options(_ view: LLMChainView, _ members: [LLMChainView.Member]) async -> String {
        var choices: [String] = []
        if let rotation = view.rotation { choices += await rotation.availableModels.map { "\($0) (via OpenRouter)" } }
        choices += members.filter { !$0.isLastResort && $0.name != LLMChainView.rotationMemberName }
            .map { LLMChainView.spokenName($0.name) }
        guard !choices.isEmpty else { return "Only one model is configured, so there is nothing to switch to." }
        return "You can choose: \(choices.joined(separator: ", ")), or say \"default\"."
    }

    /// `provider` nil: back to the configured order.
    static func log(_ logger: Logger, request: String, provider: ProviderName?, model: String?, agent: String) {
        logger.notice("LLM switched by request", metadata: [
            "agent.name": "\(agent)", "llm.requested": "\(request)", "provider.name": "\(provider?.rawValue ?? "default")",
            "llm.model": "\(model ?? "default")",
        ])
    }
}
