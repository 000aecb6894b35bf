/// Who is answering right now: what the voice pipeline records per turn, without knowing which
/// kind of LLM (a chain, a rotation, a single vendor) it talks to.
public protocol ServingStatus: Sendable {
    /// The provider the next call goes to first; nil before anything was routed.
    var servingProvider: ProviderName? { get async }
}

/// The control surface of an LLM that is really a fallback chain of providers: what the model tools
/// (`getModelInfo`, `switchModel`) read and steer. Offered through `LLM.chain`, so callers above
/// Providers never downcast to the router's concrete types.
public protocol LLMChainControl: ServingStatus {
    /// Every member's state, in routing order.
    func status() async -> ChainStatus
    /// Makes `provider` the first choice (nil restores the configured order).
    func prefer(_ provider: ProviderName?) async
    /// Records the model a member will use, so status shows it before its next answer.
    func noteModel(_ model: String, for provider: ProviderName) async
    /// The first member that can switch models itself (the OpenRouter rotation), if any.
    var modelSwitcher: (any ModelSwitching)? { get async }
}

/// An LLM that rotates among several models of one provider and can be told which to use.
public protocol ModelSwitching: Sendable {
    /// The configured models, default first.
    var availableModels: [String] { get async }
    /// The model the next call starts with.
    var currentModel: String { get async }
    /// Makes the model `name` matches current (exact id, bare id, family, "free", "cheapest", or
    /// substring; from the provider's catalogue when it has one); returns it. The error says why not
    /// and names the closest allowed models.
    @discardableResult
    func switchModel(to name: String) async throws(ModelSwitchError) -> String
    /// What the provider's catalogue says about `model` (context length, price), if it has one.
    func catalogueEntry(for model: String) async -> CatalogueModel?
    /// Takes `model` out of the rotation because it is gone (the start-up check found it dead).
    func retireModel(_ model: String, reason: String) async
}

/// A model switch that named nothing the rotation offers (the message lists what it does offer).
public typealias ModelSwitchError = OpenRouterModelSwitchError
