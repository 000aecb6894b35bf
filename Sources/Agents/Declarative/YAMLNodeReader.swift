import Providers
import SteadfastConfig
import Yams

/// Typed reads from a composed YAML tree that fail with the file, the field path and the line, and
/// that refuse unknown keys (a typo like `greting:` is an error, not a silently missing greeting).
struct YAMLNodeReader {
    let file: String

    func failure(_ field: String, _ node: Node?, _ message: String) -> AgentError {
        let line = node?.mark.map { " (line \($0.line))" } ?? ""
        // Messages quote file content (names, methods, keys): never let it reach the terminal raw.
        return AgentError(.invalidDefinition, message.escapingUnprintable + line, file: file,
                          field: field.escapingUnprintable)
    }

    func mapping(_ node: Node, _ field: String, allowed: Set<String>) throws(AgentError) -> Node.Mapping {
        guard let mapping = node.mapping else { throw failure(field, node, "expected a mapping of keys to values") }
        for (key, _) in mapping {
            let name = key.string ?? ""
            guard allowed.contains(name) else {
                let path = field.isEmpty ? name.escapingUnprintable : "\(field).\(name.escapingUnprintable)"
                let hint = KeySuggestion.closest(to: name, in: allowed.sorted()).map { "did you mean \($0)? " } ?? ""
                throw failure(path, key, "unknown key; \(hint)expected one of \(allowed.sorted().joined(separator: ", "))")
            }
        }
        return mapping
    }

    func string(_ mapping: Node.Mapping, _ key: String, _ field: String, required: Bool = false) throws(AgentError) -> String? {
        guard let node = mapping[key], node.null == nil else {
            if required { throw failure(field, nil, "is required") }
            return nil
        }
        guard let scalar = node.scalar else { throw failure(field, node, "expected text") }
        let text = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
        if required && text.isEmpty { throw failure(field, node, "must not be empty") }
        return text.isEmpty ? nil : text
    }

    func strings(_ mapping: Node.Mapping, _ key: String, _ field: String) throws(AgentError) -> [String] {
        guard let node = mapping[key], node.null == nil else { return [] }
        guard let sequence = node.sequence else { throw failure(field, node, "expected a list") }
        var values: [String] = []
        for (index, item) in sequence.enumerated() {
            guard let text = item.scalar?.string, !text.isEmpty else {
                throw failure("\(field)[\(index)]", item, "expected a name")
            }
            values.append(text)
        }
        return values
    }

    /// Seconds as a number (`0.5`) or text with a unit (`500ms`, `2s`).
    func duration(_ mapping: Node.Mapping, _ key: String, _ field: String) throws(AgentError) -> Duration? {
        guard let node = mapping[key], node.null == nil else { return nil }
        let text = (node.scalar?.string ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var seconds: Double?
        if text.hasSuffix("ms") { seconds = Double(text.dropLast(2)).map { $0 / 1000 } }
        else if text.hasSuffix("s") { seconds = Double(text.dropLast()) }
        else { seconds = Double(text) }
        guard let seconds, seconds.isFinite, seconds >= 0, seconds <= 60 else {
            throw failure(field, node, "expected seconds between 0 and 60, e.g. 0.5 or \"500ms\"")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// A YAML value as JSON (for JSON Schema written in YAML).
    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping { object[key.string ?? ""] = json(value) }
            return .object(object)
        case .sequence(let sequence):
            return .array(sequence.map(json))
        case .scalar(let scalar):
            // Quoted scalars are always text; plain ones may be null, booleans or numbers, as in JSON.
            guard scalar.style == .plain else { return .string(scalar.string) }
            let text = scalar.string
            switch text.lowercased() {
            case "", "~", "null": return .null
            case "true": return .bool(true)
            case "false": return .bool(false)
            default:
                if let number = Double(text), number.isFinite { return .number(number) }
                return .string(text)
            }
        case .alias:
            return .null
        }
    }
}
