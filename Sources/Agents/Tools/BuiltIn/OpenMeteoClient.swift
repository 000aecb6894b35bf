import Foundation
import Transport

/// Current weather from Open-Meteo: geocode the place name, then ask for the current forecast there.
///
/// Every failure is a `ToolError` in words the model can pass on: an unknown place asks the user
/// to rephrase; an unreachable or garbled service says the weather is unavailable right now.
public struct OpenMeteoClient: Sendable {
    public let configuration: OpenMeteoConfiguration
    private let transport: any HTTPTransport
    /// Below the tool loop's 10 s default, so the tool reports its own failure in words.
    private let timeouts = HTTPTimeouts(connect: .seconds(3), firstByte: .seconds(6), total: .seconds(8))

    public init(configuration: OpenMeteoConfiguration = OpenMeteoConfiguration(), transport: any HTTPTransport) {
        self.configuration = configuration
        self.transport = transport
    }

    public func currentWeather(at location: String) async throws(ToolError) -> WeatherReport {
        let (name, qualifier) = OpenMeteoWire.splitQualifier(location)
        guard !name.isEmpty else { throw ToolError("please tell me which place you want the weather for") }
        guard let searchURL = OpenMeteoWire.searchURL(base: configuration.geocodingBaseURL, name: name,
                                                      count: qualifier == nil ? 1 : 10) else {
            throw ToolError("the weather service is not set up correctly")
        }
        let geocoding: OpenMeteoWire.GeocodingResponse = try await fetch(searchURL)
        guard let place = OpenMeteoWire.pick(geocoding.results ?? [], qualifier: qualifier) else {
            throw ToolError("I couldn't find a place called \"\(location)\". Could you say it another way, "
                            + "perhaps with the country?")
        }
        guard let forecastURL = OpenMeteoWire.forecastURL(base: configuration.forecastBaseURL,
                                                          latitude: place.latitude, longitude: place.longitude) else {
            throw ToolError("the weather service is not set up correctly")
        }
        let forecast: OpenMeteoWire.ForecastResponse = try await fetch(forecastURL)
        let current = forecast.current
        let units = forecast.currentUnits ?? [:]
        return WeatherReport(
            place: place.name, region: place.admin1, country: place.country, temperature: current.temperature,
            apparentTemperature: current.apparentTemperature, temperatureUnit: units["temperature_2m"] ?? "°C",
            conditions: current.weatherCode.map { WMOWeatherCode.description(of: Self.code($0)) } ?? "unknown conditions",
            windSpeed: current.windSpeed, windSpeedUnit: units["wind_speed_10m"] ?? "km/h",
            humidityPercent: current.humidity)
    }

    private func fetch<Response: Decodable>(_ url: URL) async throws(ToolError) -> Response {
        let body: [UInt8]
        do {
            let response = try await transport.send(HTTPRequest(method: "GET", url: url, timeouts: timeouts))
            body = try await response.collectBody(limit: 256 * 1024)
            guard (200..<300).contains(response.head.status) else {
                throw ToolError("the weather service answered with an error (HTTP \(response.head.status)); "
                                + "the weather is not available right now")
            }
        } catch let error as ToolError {
            throw error
        } catch {
            throw ToolError("the weather service cannot be reached right now")
        }
        do {
            return try JSONDecoder().decode(Response.self, from: Data(body))
        } catch {
            throw ToolError("the weather service sent an answer I couldn't read; the weather is not available right now")
        }
    }

    private static func code(_ value: Double) -> Int {
        value.isFinite && abs(value) < 1000 ? Int(value) : -1
    }
}
