import Agents
import Foundation
import Logging
import Providers
import TestSupport
import Testing
import Transport

/// getWeather against a local server speaking Open-Meteo's format.
@Suite("Weather tool", .timeLimit(.minutes(2)))
struct WeatherToolTests {
    static let paris = #"""
        {"results":[{"id":2988507,"name":"Paris","latitude":48.85341,"longitude":2.3488,"elevation":42.0,
        "country_code":"FR","admin1":"Île-de-France","timezone":"Europe/Paris","country":"France"}],
        "generationtime_ms":0.62}
        """#
    static let forecast = #"""
        {"latitude":48.86,"longitude":2.35,"current_units":{"time":"iso8601","interval":"seconds",
        "temperature_2m":"°C","apparent_temperature":"°C","relative_humidity_2m":"%","weather_code":"wmo code",
        "wind_speed_10m":"km/h"},"current":{"time":"2026-11-22T03:00","interval":900,"temperature_2m":12.3,
        "apparent_temperature":10.1,"relative_humidity_2m":81,"weather_code":3,"wind_speed_10m":11.2}}
        """#

    static func server(search: String = paris, forecast: ScriptedResponse = .json(forecast)) throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer { request in
            request.path.hasPrefix("/v1/search") ? .json(search) : forecast
        }
    }

    static func tool(_ server: ScriptedHTTPServer) throws -> WeatherTool {
        WeatherTool(configuration: OpenMeteoConfiguration(geocodingBaseURL: server.baseURL, forecastBaseURL: server.baseURL),
                    transport: try CurlHTTPClient())
    }

    static let context = ToolContext(agentName: "assistant", logger: Logger(label: "test"))

    @Test func answersWithTemperatureConditionsAndPlace() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let output = try await Self.tool(server).execute(arguments: .object(["location": .string("Paris")]), context: Self.context)
        #expect(output.resultText == "Paris, France: 12°C (feels like 10°C), overcast, wind 11 km/h, humidity 81%.")
        let paths = server.requests.map(\.path)
        #expect(paths.count == 2)
        #expect(paths.first?.hasPrefix("/v1/search?name=Paris&count=1&language=en&format=json") == true)
        #expect(paths.last?.contains("latitude=48.85341") == true)
        #expect(paths.last?.contains("current=temperature_2m") == true)
    }

    @Test func theModelHearsTheTemperatureThroughTheToolLoop() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let llm = ScriptedTurnLLM { call, request in
            call == 0 ? [.tool(.call("getWeather", #"{"location":"Paris"}"#))]
                : [.text("Right now: " + (request.messages.last?.content ?? ""))]
        }
        let outcome = try await ToolLoop().run(llm: llm, request: LLMRequest(messages: [.user("Weather in Paris?")]),
                                               tools: [try Self.tool(server)], context: Self.context)
        #expect(outcome.text.contains("12°C"))
        #expect(outcome.invocations.first?.failed == false)
    }

    @Test func aCountryQualifierPicksTheMatchingPlace() async throws {
        let server = try Self.server(search: #"""
            {"results":[{"name":"Paris","latitude":48.85,"longitude":2.35,"country":"France","country_code":"FR"},
            {"name":"Paris","latitude":33.66,"longitude":-95.55,"country":"United States","country_code":"US","admin1":"Texas"}]}
            """#)
        defer { server.stop() }
        let output = try await Self.tool(server).execute(arguments: .object(["location": .string("Paris, Texas")]), context: Self.context)
        #expect(output.resultText.hasPrefix("Paris, United States:"))
        #expect(server.requests.first?.path.contains("count=10") == true)
    }

    @Test func anUnknownPlaceIsAPoliteToolError() async throws {
        let server = try Self.server(search: #"{"generationtime_ms":0.31}"#)
        defer { server.stop() }
        let error = await #expect(throws: ToolError.self) {
            try await Self.tool(server).execute(arguments: .object(["location": .string("Xyzzyville")]), context: Self.context)
        }
        #expect(error?.message.contains("couldn't find a place called \"Xyzzyville\"") == true)
        #expect(server.requests.count == 1)
    }

    @Test(arguments: [
        ScriptedResponse([.head(status: 200, headers: [("Content-Type", "text/html")]), .text("<html>oops</html>")],
                         chunked: false),
        ScriptedResponse.json(#"{"current":{"weather_code":"sunny"}}"#),
        ScriptedResponse.json(status: 503, #"{"error":true,"reason":"down"}"#),
    ])
    func garbageOrHTTPFailureIsAToolError(forecast: ScriptedResponse) async throws {
        let server = try Self.server(forecast: forecast)
        defer { server.stop() }
        let error = await #expect(throws: ToolError.self) {
            try await Self.tool(server).execute(arguments: .object(["location": .string("Paris")]), context: Self.context)
        }
        #expect(error?.message.contains("not available right now") == true)
    }

    @Test func anUnreachableServiceIsAToolError() async throws {
        let server = try Self.server()
        let url = server.baseURL
        server.stop()
        let tool = WeatherTool(configuration: OpenMeteoConfiguration(geocodingBaseURL: url, forecastBaseURL: url),
                               transport: try CurlHTTPClient())
        let error = await #expect(throws: ToolError.self) {
            try await tool.execute(arguments: .object(["location": .string("Paris")]), context: Self.context)
        }
        #expect(error?.message.contains("cannot be reached") == true)
    }

    @Test func baseURLsComeFromTheEnvironment() throws {
        let configuration = try OpenMeteoConfiguration(variables: ["OPEN_METEO_GEOCODING_URL": "http://127.0.0.1:9/geo"])
        #expect(configuration.geocodingBaseURL.absoluteString == "http://127.0.0.1:9/geo")
        #expect(configuration.forecastBaseURL == OpenMeteoConfiguration.defaultForecastBaseURL)
        #expect(throws: (any Error).self) { try OpenMeteoConfiguration(variables: ["OPEN_METEO_FORECAST_URL": "nope"]) }
    }

    @Test func weatherCodesReadAsWords() {
        #expect(WMOWeatherCode.description(of: 0) == "clear sky")
        #expect(WMOWeatherCode.description(of: 63) == "rain")
        #expect(WMOWeatherCode.description(of: 95) == "a thunderstorm")
        #expect(WMOWeatherCode.description(of: 1234) == "unknown conditions")
    }
}
