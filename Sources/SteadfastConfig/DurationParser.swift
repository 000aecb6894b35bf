/// Human durations as people type them on a command line: `90s`, `15m`, `6h`, `1d`, `1h30m`.
public enum DurationParser {
    /// nil when `text` is not a sequence of `<integer><unit>` pairs with units s, m, h or d.
    public static func parse(_ text: String) -> Duration? {
        var total: Int64 = 0
        var digits = ""
        var sawUnit = false
        for character in text.lowercased() {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            let unit: Int64
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            default: return nil
            }
            guard let value = Int64(digits), value <= 10_000_000 else { return nil }
            total += value * unit
            digits = ""
            sawUnit = true
        }
        guard digits.isEmpty, sawUnit else { return nil }
        return .seconds(total)
    }
}
