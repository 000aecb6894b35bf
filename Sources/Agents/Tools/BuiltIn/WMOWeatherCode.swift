/// WMO weather interpretation codes (the `weather_code` Open-Meteo reports) in words a voice can say.
public enum WMOWeatherCode {
    public static func description(of code: Int) -> String {
        switch code {
        case 0: "clear sky"
        case 1: "mainly clear"
        case 2: "partly cloudy"
        case 3: "overcast"
        case 45: "fog"
        case 48: "freezing fog"
        case 51: "light drizzle"
        case 53: "drizzle"
        case 55: "heavy drizzle"
        case 56, 57: "freezing drizzle"
        case 61: "light rain"
        case 63: "rain"
        case 65: "heavy rain"
        case 66, 67: "freezing rain"
        case 71: "light snow"
        case 73: "snow"
        case 75: "heavy snow"
        case 77: "snow grains"
        case 80: "light rain showers"
        case 81: "rain showers"
        case 82: "violent rain showers"
        case 85: "light snow showers"
        case 86: "heavy snow showers"
        case 95: "a thunderstorm"
        case 96, 99: "a thunderstorm with hail"
        default: "unknown conditions"
        }
    }
}
