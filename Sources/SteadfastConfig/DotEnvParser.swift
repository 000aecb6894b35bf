/// Parses `.env` files: `KEY=value` lines, as docker compose and python-dotenv read them.
///
/// Supported: blank lines and `#` comments; an optional `export ` prefix; unquoted values (trimmed,
/// ` #` starts a comment); single-quoted values (literal); double-quoted values with `\n`, `\t`,
/// `\"` and `\\` escapes. A line that is none of these is an error naming the line, so a typo
/// never silently drops a key. Values are never echoed in errors.
public enum DotEnvParser {
    public static func parse(_ text: String, fileName: String = ".env") throws(ConfigError) -> [String: String] {
        var result: [String: String] = [:]
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
            line = line.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).drop(while: { $0 == " " }) }
            let where_ = "\(fileName) line \(offset + 1)"
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigError(.badEnvFile, "\(where_): expected KEY=value")
            }
            let key = line[..<equals].trimmingSpaces()
            guard isValidKey(key) else {
                throw ConfigError(.badEnvFile, "\(where_): \"\(key)\" is not a valid variable name")
            }
            result[String(key)] = try value(line[line.index(after: equals)...].trimmingSpaces(), at: where_, key: key)
        }
        return result
    }

    private static func value(_ raw: Substring, at location: String, key: Substring) throws(ConfigError) -> String {
        guard let quote = raw.first, quote == "\"" || quote == "'" else {
            // Unquoted: an inline comment starts at " #".
            if let comment = raw.range(of: " #") { return String(raw[..<comment.lowerBound].trimmingSpaces()) }
            return String(raw)
        }
        var output = ""
        var index = raw.index(after: raw.startIndex)
        while index < raw.endIndex {
            let character = raw[index]
            if character == quote {
                let rest = raw[raw.index(after: index)...].trimmingSpaces()
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    throw ConfigError(.badEnvFile, "\(location): unexpected text after the quoted value of \(key)")
                }
                return output
            }
            if quote == "\"", character == "\\", raw.index(after: index) < raw.endIndex {
                index = raw.index(after: index)
                switch raw[index] {
                case "n": output.append("\n")
                case "t": output.append("\t")
                case "r": output.append("\r")
                default: output.append(raw[index])
                }
            } else {
                output.append(character)
            }
            index = raw.index(after: index)
        }
        throw ConfigError(.badEnvFile, "\(location): the value of \(key) has no closing \(quote)")
    }

    /// POSIX shell names: a letter or underscore, then letters, digits or underscores.
    private static func isValidKey(_ key: Substring) -> Bool {
        func isLetter(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) || ("a"..."z").contains(c) || c == "_" }
        guard let first = key.unicodeScalars.first, isLetter(first) else { return false }
        return key.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return s
    }
}
