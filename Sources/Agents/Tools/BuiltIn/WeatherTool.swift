import Providers
import Transport

/// `getWeather(location)`: current temperature and conditions anywhere, from Open-Meteo (no key needed).
public struct WeatherTool: Tool {
    public static let toolName = "getWeather"

    struct Arguments: Decodable, Sendable {
        let location: String
    }

    private let typed: TypedTool<Arguments>

    public init(client: OpenMeteoClient) {
        typed = TypedTool(name: Self.toolName,
                          description: "Current weather (temperature, conditions, wind) for a city or place.",
                          argumentDescriptions: ["location": "City or place name, optionally with the country, e.g. \"Paris, France\""]) {
            (arguments: Arguments, _) in
            try await client.currentWeather(at: arguments.location).summary
        }
    }

    public init(configuration: OpenMeteoConfiguration = OpenMeteoConfiguration(), transport: any HTTPTransport) {
        self.init(client: OpenMeteoClient(configuration: configuration, transport: transport))
    }

    public var name: String { typed.name }
    public var description: String { typed.description }
    public var parameters: JSONValue { typed.parameters }

    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        try await typed.execute(arguments: arguments, context: context)
    }
}
