/// A model switch named nothing in the configured rotation. Lists what is available so the message
/// can be read out or shown as is.
public struct OpenRouterModelSwitchError: Error, Sendable, Equatable, CustomStringConvertible {
    public let requested: String
    public let availableModels: [String]

    public init(requested: String, availableModels: [String]) {
        self.requested = requested
        self.availableModels = availableModels
    }

    public var description: String {
        "No OpenRouter model matches \"\(requested)\". Available: \(availableModels.joined(separator: ", "))"
    }
}
