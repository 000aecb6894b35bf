/// A tool's JSON Schema reduced to the OpenAPI 3.0 subset that Gemini's `Schema` object accepts.
///
/// Gemini answers 400 INVALID_ARGUMENT for what JSON Schema allows and its `Schema` does not
/// (docs/providers.md § Gemini): an OBJECT with no properties, `additionalProperties`, `$ref`, `oneOf`,
/// `const`, a type array such as `["string","null"]`, an `enum` on a non-string type, or a `format` it
/// does not list. The reduction keeps what the model needs to call the tool (names, types, required,
/// descriptions, enums) and rewrites the rest into the subset; `problems(_:)` names what cannot be
/// rewritten without changing the tool's meaning.
enum GeminiSchema {
    /// The `Schema` fields Gemini documents; anything else is dropped.
    static let keptKeys: Set<String> = [
        "type", "format", "title", "description", "nullable", "enum", "properties", "required", "items",
        "minItems", "maxItems", "minProperties", "maxProperties", "minLength", "maxLength", "pattern",
        "minimum", "maximum", "anyOf", "propertyOrdering", "default", "example",
    ]
    /// `format` values Gemini documents per type.
    static let formats: [String: Set<String>] = [
        "string": ["enum", "date-time"], "number": ["float", "double"], "integer": ["int32", "int64"],
    ]
    /// Bounds `$ref` inlining and nesting, so a recursive schema ends instead of growing.
    static let maximumDepth = 12

    /// `parameters` for a `FunctionDeclaration`, or nil when the tool takes no arguments (an object
    /// schema without properties), which Gemini wants left unset.
    static func parameters(_ schema: JSONValue) -> JSONValue? {
        let reduced = reduce(schema, definitions: definitions(of: schema), depth: 0)
        guard case .object(let object) = reduced, case .object(let properties)? = object["properties"],
              !properties.isEmpty else { return nil }
        return reduced
    }

    /// Parts of `schema` the reduction must drop or weaken, as "path: reason" lines (empty when none):
    /// a nested object without properties (Gemini rejects it and the model could not fill it anyway)
    /// and an unresolvable `$ref`.
    static func problems(_ schema: JSONValue) -> [String] {
        var found: [String] = []
        collectProblems(schema, definitions: definitions(of: schema), path: "parameters", depth: 0, into: &found)
        return found
    }

    static func reduce(_ schema: JSONValue, definitions: [String: JSONValue], depth: Int) -> JSONValue {
        guard depth < maximumDepth, case .object(var object) = schema else { return .object(["type": .string("string")]) }
        if case .string(let reference)? = object["$ref"] {
            guard let target = resolve(reference, in: definitions) else { return .object(["type": .string("string")]) }
            var inlined = reduce(target, definitions: definitions, depth: depth + 1)
            if case .object(var fields) = inlined, let description = object["description"] {
                fields["description"] = description
                inlined = .object(fields)
            }
            return inlined
        }
        if object["anyOf"] == nil, let alternatives = object["oneOf"] { object["anyOf"] = alternatives }
        if case .array(let all)? = object["allOf"], all.count == 1, case .object(let only) = all[0] {
            for (key, value) in only where object[key] == nil { object[key] = value }
        }
        if let constant = object["const"], object["enum"] == nil { object["enum"] = .array([constant]) }

        var reduced: [String: JSONValue] = [:]
        for (key, value) in object where keptKeys.contains(key) { reduced[key] = value }
        // `"type": ["string", "null"]` is `type` + `nullable`.
        if case .array(let types)? = object["type"] {
            let named = types.compactMap(\.stringValue)
            if named.contains("null") { reduced["nullable"] = .bool(true) }
            if let first = named.first(where: { $0 != "null" }) { reduced["type"] = .string(first) } else { reduced["type"] = nil }
        }
        if reduced["type"] == nil, object["properties"] != nil { reduced["type"] = .string("object") }
        if reduced["type"] == nil, object["items"] != nil { reduced["type"] = .string("array") }
        let type = reduced["type"]?.stringValue?.lowercased()
        // Enums are strings in Gemini's Schema: the values are sent as text with type STRING.
        if case .array(let values)? = reduced["enum"] {
            reduced["enum"] = .array(values.compactMap(enumText).map(JSONValue.string))
            reduced["type"] = .string("string")
            if reduced["format"] != nil { reduced["format"] = .string("enum") }
        } else if let format = reduced["format"]?.stringValue, !(formats[type ?? ""]?.contains(format) ?? false) {
            reduced["format"] = nil
        }
        if case .object(let properties)? = reduced["properties"] {
            reduced["properties"] = .object(properties.mapValues { reduce($0, definitions: definitions, depth: depth + 1) })
            if case .array(let required)? = reduced["required"] {
                reduced["required"] = .array(required.filter { $0.stringValue.map { properties[$0] != nil } ?? false })
            }
        } else {
            reduced["required"] = nil
        }
        if let items = reduced["items"] { reduced["items"] = reduce(items, definitions: definitions, depth: depth + 1) }
        if case .array(let alternatives)? = reduced["anyOf"] {
            reduced["anyOf"] = .array(alternatives.map { reduce($0, definitions: definitions, depth: depth + 1) })
        }
        return .object(reduced)
    }

    private static func collectProblems(_ schema: JSONValue, definitions: [String: JSONValue], path: String, depth: Int,
                                        into found: inout [String]) {
        guard depth < maximumDepth, case .object(let object) = schema else { return }
        if case .string(let reference)? = object["$ref"] {
            if let target = resolve(reference, in: definitions) {
                collectProblems(target, definitions: definitions, path: path, depth: depth + 1, into: &found)
            } else {
                found.append("\(path): $ref \(reference) does not resolve to a local definition")
            }
            return
        }
        let properties = object["properties"]?.objectValue ?? [:]
        if depth > 0, object["type"]?.stringValue?.lowercased() == "object", properties.isEmpty {
            found.append("\(path): an object without properties (Gemini rejects it: properties should be non-empty for OBJECT type)")
        }
        for (name, property) in properties.sorted(by: { $0.key < $1.key }) {
            collectProblems(property, definitions: definitions, path: "\(path).\(name)", depth: depth + 1, into: &found)
        }
        if let items = object["items"] {
            collectProblems(items, definitions: definitions, path: "\(path)[]", depth: depth + 1, into: &found)
        }
    }

    private static func definitions(of schema: JSONValue) -> [String: JSONValue] {
        var all: [String: JSONValue] = [:]
        for key in ["definitions", "$defs"] {
            for (name, value) in schema[key]?.objectValue ?? [:] { all["#/\(key)/\(name)"] = value }
        }
        return all
    }

    private static func resolve(_ reference: String, in definitions: [String: JSONValue]) -> JSONValue? {
        definitions[reference]
    }

    private static func enumText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): String(flag)
        case .null, .array, .object: nil
        }
    }
}
