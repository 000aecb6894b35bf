import Foundation

extension JSONValue {
    /// A whole number that fits in `Int`; nil for fractions, NaN or out-of-range values from a provider.
    var intValue: Int? {
        guard case .number(let number) = self, number.isFinite, number.rounded() == number,
              abs(number) < 9.0e15 else { return nil }
        return Int(number)
    }

    var boolValue: Bool? { if case .bool(let value) = self { return value } else { return nil } }

    /// Request bodies are built as `JSONValue` and sent as compact UTF-8 JSON.
    var jsonBytes: [UInt8] { Array(jsonText.utf8) }

    /// Tool arguments replayed to vendors that want an object (Anthropic `input`, Gemini `args`):
    /// the model's JSON text when it is an object, else an empty object rather than a failed request.
    static func argumentsObject(_ text: String) -> JSONValue {
        if let value = JSONValue(parsing: text), case .object = value { return value }
        return .object([:])
    }
}

extension URL {
    /// `base` + `path`, tolerating a trailing slash on the configured base URL.
    func appendingRawPath(_ path: String) -> URL? {
        var base = absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + path)
    }
}
