import Foundation
import Yams

/// Typed, range-checked reads from a composed YAML tree (see `YAMLDocument`) for `steadfast.yaml`.
///
/// Every failure is one line, "`<file> line N: <field.path>: <what is wrong>`", and quotes file
/// content escaped. Unknown keys are refused with the closest known key suggested, so a typo like
/// `rmp:` is an error rather than a silently missing limit.
struct YAMLFieldReader {
    let file: String

    func failure(_ field: String, _ node: Node?, _ message: String) -> ConfigError {
        let line = node?.mark.map { " line \($0.line)" } ?? ""
        return ConfigError(.invalid, "\(file)\(line): \(field): \(message)")
    }

    /// Joins a parent path and a key: `llm` + `order` is `llm.order`.
    static func path(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }

    /// A mapping whose keys are all in `allowed` (or anything, when `allowed` is nil), as key/value pairs.
    func mapping(_ node: Node, _ field: String, allowed: [String]?) throws(ConfigError) -> [(key: String, keyNode: Node, value: Node)] {
        guard let mapping = node.mapping else {
            throw failure(field.isEmpty ? "(top level)" : field, node, "expected a mapping of keys to values")
        }
        var pairs: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                throw failure(field.isEmpty ? "(top level)" : field, keyNode, "keys must be plain names")
            }
            if let allowed, !allowed.contains(key) {
                let hint = KeySuggestion.closest(to: key, in: allowed).map { "did you mean \($0)? " } ?? ""
                throw failure(Self.path(field, key.escapingUnprintable), keyNode,
                              "unknown key; \(hint)known keys: \(allowed.joined(separator: ", "))")
            }
            pairs.append((key, keyNode, value))
        }
        return pairs
    }

    /// A whole number in `range`; `1_000` and `+5` are accepted as YAML allows.
    func int(_ node: Node, _ field: String, _ range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let text = try scalarText(node, field).replacingOccurrences(of: "_", with: "")
        guard let value = Int(text), range.contains(value) else {
            throw failure(field, node, "expected a whole number from \(range.lowerBound) to \(range.upperBound), "
                          + "not \(Self.quote(text))")
        }
        return value
    }

    /// A finite number in `range`.
    func double(_ node: Node, _ field: String, _ range: ClosedRange<Double>) throws(ConfigError) -> Double {
        let text = try scalarText(node, field).replacingOccurrences(of: "_", with: "")
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw failure(field, node, "expected a number from \(Self.format(range.lowerBound)) to "
                          + "\(Self.format(range.upperBound)), not \(Self.quote(text))")
        }
        return value
    }

    func bool(_ node: Node, _ field: String) throws(ConfigError) -> Bool {
        let text = try scalarText(node, field)
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw failure(field, node, "expected true or false, not \(Self.quote(text))")
        }
    }

    func string(_ node: Node, _ field: String) throws(ConfigError) -> String {
        let text = try scalarText(node, field).trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw failure(field, node, "must not be empty") }
        return text
    }

    func strings(_ node: Node, _ field: String) throws(ConfigError) -> [String] {
        guard let sequence = node.sequence else { throw failure(field, node, "expected a list, e.g. [a, b]") }
        var values: [String] = []
        for (index, item) in sequence.enumerated() { values.append(try string(item, "\(field)[\(index)]")) }
        return values
    }

    private func scalarText(_ node: Node, _ field: String) throws(ConfigError) -> String {
        guard let scalar = node.scalar else { throw failure(field, node, "expected a single value, not a list or mapping") }
        return scalar.string
    }

    static func quote(_ text: String) -> String {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return "\"\(shown.escapingUnprintable)\""
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Suggests the known key a typo was probably meant to be.
public enum KeySuggestion {
    /// The entry of `known` within a small edit distance of `key` (a swap counts as one edit), if any.
    public static func closest(to key: String, in known: some Sequence<String>) -> String? {
        let typed = Array(key.lowercased().unicodeScalars.prefix(64))
        var best: (name: String, distance: Int)?
        for candidate in known {
            let known = Array(candidate.lowercased().unicodeScalars)
            // A known key that starts with what was typed (`turn_budget` for `turn_budget_ms`) counts as close.
            let isPrefix = typed.count >= 4 && known.starts(with: typed)
            let distance = isPrefix ? 1 : editDistance(typed, known)
            let allowed = max(1, min(2, candidate.count / 3))
            if distance <= allowed, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
