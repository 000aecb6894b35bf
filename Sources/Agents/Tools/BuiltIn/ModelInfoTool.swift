import Providers

/// `getModelInfo`: which provider and model will answer, and how the rest of the chain stands,
/// e.g. "OpenRouter, google/gemini-2.0-flash; OpenAI standing by; local fallback ready".
public struct ModelInfoTool: Tool {
    public static let toolName = "getModelInfo"

    public init() {}

    public var name: String { Self.toolName }
    public var description: String {
        "Says which AI provider and model are answering right now, and which others stand by."
    }
    public var parameters: JSONValue { .object(["type": .string("object"), "properties": .object([:])]) }

    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        guard let session = context.session else { throw ToolError("I can't see which model is answering from here") }
        let view = await LLMChainView.resolve(await session.llm)
        var text = LLMChainView.describe(await view.members())
        if view.chain == nil, let rotation = view.rotation {
            text += " (rotation: \(await rotation.availableModels.joined(separator: ", ")))"
        }
        return .text(text)
    }
}
