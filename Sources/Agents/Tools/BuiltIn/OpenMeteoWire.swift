import Foundation

/// Open-Meteo's request URLs and response shapes: pure values, so parsing is tested without sockets.
enum OpenMeteoWire {
    struct GeocodingResponse: Decodable {
        /// Absent (not empty) when nothing matched.
        let results: [Place]?
    }

    struct Place: Decodable, Equatable {
        let name: String
        let latitude: Double
        let longitude: Double
        let country: String?
        let countryCode: String?
        let admin1: String?

        enum CodingKeys: String, CodingKey {
            case name, latitude, longitude, country, admin1
            case countryCode = "country_code"
        }
    }

    struct ForecastResponse: Decodable {
        let current: Current
        let currentUnits: [String: String]?

        enum CodingKeys: String, CodingKey {
            case current
            case currentUnits = "current_units"
        }
    }

    struct Current: Decodable {
        let temperature: Double
        let apparentTemperature: Double?
        let humidity: Double?
        let weatherCode: Double?
        let windSpeed: Double?

        enum CodingKeys: String, CodingKey {
            case temperature = "temperature_2m", apparentTemperature = "apparent_temperature"
            case humidity = "relative_humidity_2m", weatherCode = "weather_code", windSpeed = "wind_speed_10m"
        }
    }

    static let currentFields = "temperature_2m,apparent_temperature,relative_humidity_2m,weather_code,wind_speed_10m"

    static func searchURL(base: URL, name: String, count: Int) -> URL? {
        url(base: base, path: "/v1/search", query: [
            URLQueryItem(name: "name", value: name), URLQueryItem(name: "count", value: String(count)),
            URLQueryItem(name: "language", value: "en"), URLQueryItem(name: "format", value: "json"),
        ])
    }

    static func forecastURL(base: URL, latitude: Double, longitude: Double) -> URL? {
        url(base: base, path: "/v1/forecast", query: [
            URLQueryItem(name: "latitude", value: String(latitude)), URLQueryItem(name: "longitude", value: String(longitude)),
            URLQueryItem(name: "current", value: currentFields),
        ])
    }

    private static func url(base: URL, path: String, query: [URLQueryItem]) -> URL? {
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        guard var components = URLComponents(string: text + path) else { return nil }
        components.queryItems = query
        return components.url
    }

    /// "Paris, France" searches for "Paris" and prefers a result in France; Open-Meteo matches names only.
    static func splitQualifier(_ location: String) -> (name: String, qualifier: String?) {
        let parts = location.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let qualifier = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
        return (parts.first ?? "", qualifier)
    }

    static func pick(_ places: [Place], qualifier: String?) -> Place? {
        guard let qualifier = qualifier?.lowercased() else { return places.first }
        return places.first { place in
            [place.country, place.countryCode, place.admin1].compactMap { $0?.lowercased() }
                .contains { $0 == qualifier || $0.hasPrefix(qualifier) }
        } ?? places.first
    }
}
