import Foundation
import SteadfastConfig

/// Where the weather tool sends its two requests. Open-Meteo needs no key; the base URLs are
/// configurable so tests (and self-hosted Open-Meteo) can stand in for the public service.
public struct OpenMeteoConfiguration: Sendable, Equatable {
    // Literal, well-formed URLs: the unwrap cannot fail.
    public static let defaultGeocodingBaseURL = URL(string: "https://geocoding-api.open-meteo.com")!
    public static let defaultForecastBaseURL = URL(string: "https://api.open-meteo.com")!

    /// Requests go to `{geocodingBaseURL}/v1/search`.
    public var geocodingBaseURL: URL
    /// Requests go to `{forecastBaseURL}/v1/forecast`.
    public var forecastBaseURL: URL

    public init(geocodingBaseURL: URL = Self.defaultGeocodingBaseURL, forecastBaseURL: URL = Self.defaultForecastBaseURL) {
        self.geocodingBaseURL = geocodingBaseURL
        self.forecastBaseURL = forecastBaseURL
    }

    /// From `OPEN_METEO_GEOCODING_URL` and `OPEN_METEO_FORECAST_URL` (e.g. `ConfigurationLoader().variables()`);
    /// unset or empty means the public service.
    public init(variables: [String: String]) throws(ConfigError) {
        self.init(geocodingBaseURL: try Self.url(variables, "OPEN_METEO_GEOCODING_URL") ?? Self.defaultGeocodingBaseURL,
                  forecastBaseURL: try Self.url(variables, "OPEN_METEO_FORECAST_URL") ?? Self.defaultForecastBaseURL)
    }

    private static func url(_ variables: [String: String], _ name: String) throws(ConfigError) -> URL? {
        guard let text = variables[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
              url.host?.isEmpty == false else {
            throw ConfigError(.invalid, "\(name)=\(text) is not an http(s) URL")
        }
        return url
    }
}
