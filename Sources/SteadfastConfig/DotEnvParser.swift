/// Parses `.env` files: `KEY=value` lines, as docker compose and python-dotenv read them.
///
/// Supported: blank lines and `#` comments; an optional `export ` prefix; unquoted values (trimmed,
/// ` #` starts a comment); single-quoted values (literal); double-quoted values with `\n`, `\t`,
/// `\"` and `\\` escapes. A line that is none of these is an error naming the line, so a typo
/// never silently drops a key. Values are never echoed in errors; names are, with control
/// characters escaped (`\x1b`) so a hostile file cannot drive the terminal.
///
/// Lines end at LF, CRLF (Windows editors) or a lone CR (classic Mac), as Python's `splitlines`
/// does; a UTF-8 byte-order mark at the start is ignored. The text is handled as Unicode scalars,
/// not `Character`s: Swift reads `"\r\n"` as one `Character`, which once made a CRLF file one line.
public enum DotEnvParser {
    public static func parse(_ text: String, fileName: String = ".env") throws(ConfigError) -> [String: String] {
        var result: [String: String] = [:]
        for (offset, rawLine) in lines(text).enumerated() {
            var line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.first == "#" { continue }
            if line.starts(with: "export ".unicodeScalars) { line = line.dropFirst(7).drop(while: { $0 == " " }) }
            let where_ = "\(fileName.escapingUnprintable) line \(offset + 1)"
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigError(.badEnvFile, "\(where_): expected KEY=value")
            }
            let key = String(String.UnicodeScalarView(line[..<equals].trimmingSpaces()))
            guard isValidKey(key) else {
                throw ConfigError(.badEnvFile, "\(where_): \"\(key.escapingUnprintable)\" is not a valid variable name")
            }
            result[key] = try value(line[line.index(after: equals)...].trimmingSpaces(), at: where_, key: key)
        }
        return result
    }

    /// The lines of `text` without their terminators (LF, CRLF or CR), after an optional BOM.
    static func lines(_ text: String) -> [Substring.UnicodeScalarView] {
        var scalars = Substring(text).unicodeScalars
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var lines: [Substring.UnicodeScalarView] = []
        var start = scalars.startIndex
        var index = start
        while index < scalars.endIndex {
            let scalar = scalars[index]
            guard scalar == "\n" || scalar == "\r" else {
                index = scalars.index(after: index)
                continue
            }
            lines.append(scalars[start..<index])
            index = scalars.index(after: index)
            if scalar == "\r", index < scalars.endIndex, scalars[index] == "\n" { index = scalars.index(after: index) }
            start = index
        }
        lines.append(scalars[start...])
        return lines
    }

    private static func value(_ raw: Substring.UnicodeScalarView, at location: String,
                              key: String) throws(ConfigError) -> String {
        guard let quote = raw.first, quote == "\"" || quote == "'" else {
            // Unquoted: an inline comment starts at " #".
            var index = raw.startIndex
            while index < raw.endIndex {
                let next = raw.index(after: index)
                if raw[index] == " ", next < raw.endIndex, raw[next] == "#" {
                    return String(String.UnicodeScalarView(raw[..<index].trimmingSpaces()))
                }
                index = next
            }
            return String(String.UnicodeScalarView(raw))
        }
        var output = String.UnicodeScalarView()
        var index = raw.index(after: raw.startIndex)
        while index < raw.endIndex {
            let character = raw[index]
            if character == quote {
                let rest = raw[raw.index(after: index)...].trimmingSpaces()
                guard rest.isEmpty || rest.first == "#" else {
                    throw ConfigError(.badEnvFile, "\(location): unexpected text after the quoted value of \(key)")
                }
                return String(output)
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
    private static func isValidKey(_ key: String) -> Bool {
        func isLetter(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) || ("a"..."z").contains(c) || c == "_" }
        guard let first = key.unicodeScalars.first, isLetter(first) else { return false }
        return key.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }
}

extension Substring.UnicodeScalarView {
    func trimmingSpaces() -> Substring.UnicodeScalarView {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return s
    }
}
