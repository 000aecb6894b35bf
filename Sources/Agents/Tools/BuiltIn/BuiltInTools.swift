import Transport

/// The tools agents can enable by name (in Swift or in an agent file's `tools:` list).
public struct BuiltInTools: Sendable {
    public static let names = [WeatherTool.toolName, ModelInfoTool.toolName, SwitchModelTool.toolName]

    private let weather: WeatherTool

    public init(transport: any HTTPTransport, weather configuration: OpenMeteoConfiguration = OpenMeteoConfiguration()) {
        weather = WeatherTool(configuration: configuration, transport: transport)
    }

    public func tool(named name: String) -> (any Tool)? {
        switch name {
        case WeatherTool.toolName: weather
        case ModelInfoTool.toolName: ModelInfoTool()
        case SwitchModelTool.toolName: SwitchModelTool()
        default: nil
        }
    }

    public var all: [any Tool] { Self.names.compactMap(tool(named:)) }
}
