/// `${NAME}` references in agent files, replaced from the environment so secrets and endpoints
/// stay out of the YAML (`Authorization: Bearer ${CRM_API_KEY}`).
enum EnvironmentTemplate {
    struct Expansion: Equatable {
        var value: String
        /// Referenced variables that are unset or empty (they expand to nothing).
        var missing: [String]
    }

    /// nil when a `${` is never closed or names nothing a shell could export.
    static func expand(_ text: String, environment: [String: String]) -> Expansion? {
        var output = ""
        var missing: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { return nil }
            let name = String(rest[start.upperBound..<end])
            guard let first = name.first, first == "_" || first.isLetter,
                  name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else { return nil }
            if let value = environment[name], !value.isEmpty { output += value } else { missing.append(name) }
            rest = rest[rest.index(after: end)...]
        }
        return Expansion(value: output + rest, missing: missing)
    }
}
