/// The OpenRouter rotation is the model switcher of a chain (`switchModel` lives on the client).
extension OpenRouterRotationClient: ModelSwitching {
    public nonisolated var modelSwitching: (any ModelSwitching)? { self }
}
