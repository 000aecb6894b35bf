/// Current weather at one place, ready to be read out.
public struct WeatherReport: Sendable, Equatable {
    public var place: String
    public var region: String?
    public var country: String?
    public var temperature: Double
    public var apparentTemperature: Double?
    public var temperatureUnit: String
    public var conditions: String
    public var windSpeed: Double?
    public var windSpeedUnit: String
    public var humidityPercent: Double?

    /// One sentence the model can pass on, e.g.
    /// "Paris, France: 12°C (feels like 10°C), overcast, wind 11 km/h, humidity 81%."
    public var summary: String {
        let location = [place, country].compactMap { $0 }.joined(separator: ", ")
        var parts = ["\(Self.whole(temperature))\(temperatureUnit)"]
        if let feels = apparentTemperature, Self.whole(feels) != Self.whole(temperature) {
            parts[0] += " (feels like \(Self.whole(feels))\(temperatureUnit))"
        }
        parts.append(conditions)
        if let wind = windSpeed { parts.append("wind \(Self.whole(wind)) \(windSpeedUnit)") }
        if let humidity = humidityPercent { parts.append("humidity \(Self.whole(humidity))%") }
        return "\(location): \(parts.joined(separator: ", "))."
    }

    /// Voices read "12" better than "12.3"; NaN or huge values from a broken server read as 0 instead of trapping.
    static func whole(_ value: Double) -> Int {
        guard value.isFinite, abs(value) < 1e9 else { return 0 }
        return Int(value.rounded())
    }
}
