/// The routed chain offers its control surface through `LLM.chain`. Kept beside the capability
/// protocols (not in Routing) so the router's own files need no change to serve the layers above.
extension FallbackLLM: LLMChainControl {
    public var chain: (any LLMChainControl)? { self }

    public var servingProvider: ProviderName? {
        get async { await router.currentProvider.map(ProviderName.init(rawValue:)) }
    }

    public func status() async -> ChainStatus { await router.status() }

    public func prefer(_ provider: ProviderName?) async { await router.prefer(provider?.rawValue) }

    public func noteModel(_ model: String, for provider: ProviderName) async {
        await router.noteModel(model, for: provider.rawValue)
    }

    public var modelSwitcher: (any ModelSwitching)? {
        get async { await router.membersInOrder.lazy.compactMap { $0.service.modelSwitching }.first }
    }
}
