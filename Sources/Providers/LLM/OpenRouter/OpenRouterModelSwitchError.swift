/// A model switch that could not be made: nothing matched, or what matched is not allowed (over the
/// price ceiling, no tool support, expiring). Says why and names the closest allowed models, so the
/// message can be read out or shown as is.
public struct OpenRouterModelSwitchError: Error, Sendable, Equatable, CustomStringConvertible {
    public let requested: String
    /// The configured rotation.
    public let availableModels: [String]
    /// Why the request was refused; nil: nothing matched it.
    public let reason: String?
    /// Allowed models closest to the request (from the catalogue when there is one).
    public let closest: [String]

    public init(requested: String, availableModels: [String], reason: String? = nil, closest: [String] = []) {
        self.requested = requested
        self.availableModels = availableModels
        self.reason = reason
        self.closest = closest
    }

    public var description: String {
        let why = reason ?? "No OpenRouter model matches \"\(requested)\""
        let options = closest.isEmpty ? availableModels : closest
        let label = closest.isEmpty ? "Available" : "Closest allowed"
        return "\(why). \(label): \(options.joined(separator: ", "))"
    }
}
