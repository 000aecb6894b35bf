import Foundation
import Providers

/// Derives a JSON Schema object from a `Decodable` type by decoding it with a recording decoder:
/// every key the type asks for becomes a property, typed by what it asked for; `decodeIfPresent`
/// keys are optional. Works for flat and nested structs of strings, numbers, booleans, arrays and
/// `CaseIterable` string enums (via `SchemaDescribable`); anything it cannot see becomes an
/// unconstrained value rather than a wrong schema.
public enum JSONSchemaGenerator {
    public static func schema<T: Decodable>(for type: T.Type, descriptions: [String: String] = [:]) -> JSONValue {
        let recorder = SchemaRecorder()
        _ = try? T(from: RecordingDecoder(recorder: recorder, path: []))
        return recorder.schema(descriptions: descriptions)
    }
}

/// Lets a type that the recorder cannot infer (an enum of strings) state its own schema, plus any
/// valid value so recording can go on to the keys after it.
public protocol SchemaDescribable {
    static var jsonSchema: JSONValue { get }
    static var schemaExample: Self { get }
}

final class SchemaRecorder: @unchecked Sendable {
    // SAFETY: used by one synchronous decode on one thread, then read once.
    private var properties: [String: (schema: JSONValue, required: Bool, order: Int)] = [:]
    private var objects: [String: SchemaRecorder] = [:]
    private var optionalKeys: Set<String> = []
    private var counter = 0

    /// The standard library's `decodeIfPresent` overloads for primitives ask `decodeNil` first; that marks the key optional.
    func markOptional(_ key: String) { optionalKeys.insert(key) }

    func record(_ key: String, _ schema: JSONValue, required: Bool) {
        if properties[key] == nil { counter += 1 }
        properties[key] = (schema, required && !optionalKeys.contains(key), properties[key]?.order ?? counter)
    }

    func child(_ key: String, required: Bool) -> SchemaRecorder {
        let recorder = objects[key] ?? SchemaRecorder()
        objects[key] = recorder
        if properties[key] == nil { record(key, .object([:]), required: required) }
        return recorder
    }

    func schema(descriptions: [String: String] = [:]) -> JSONValue {
        var props: [String: JSONValue] = [:]
        var required: [(Int, String)] = []
        for (key, entry) in properties {
            var schema = objects[key]?.schema() ?? entry.schema
            if let text = descriptions[key], case .object(var object) = schema {
                object["description"] = .string(text)
                schema = .object(object)
            }
            props[key] = schema
            if entry.required { required.append((entry.order, key)) }
        }
        var object: [String: JSONValue] = ["type": .string("object"), "properties": .object(props)]
        if !required.isEmpty { object["required"] = .array(required.sorted { $0.0 < $1.0 }.map { .string($0.1) }) }
        return .object(object)
    }
}

private struct RecordingDecoder: Decoder {
    let recorder: SchemaRecorder
    let path: [CodingKey]
    var codingPath: [CodingKey] { path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RecordingKeyedContainer<Key>(recorder: recorder, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: path, debugDescription: "top-level arrays are not recorded"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: path, debugDescription: "single values are not recorded"))
    }
}

private struct RecordingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let recorder: SchemaRecorder
    let path: [CodingKey]
    var codingPath: [CodingKey] { path }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool {
        recorder.markOptional(key.stringValue)
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try value(type, key: key, required: true)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        // Record, then report absence so decoding continues past optional keys.
        _ = try? value(type, key: key, required: false)
        return nil
    }

    private func value<T: Decodable>(_ type: T.Type, key: Key, required: Bool) throws -> T {
        if let described = type as? any SchemaDescribable.Type {
            recorder.record(key.stringValue, described.jsonSchema, required: required)
            if let example = described.schemaExample as? T { return example }
            throw stop(key)
        }
        if let schema = Self.primitive(type) {
            recorder.record(key.stringValue, schema, required: required)
            if let sample = Self.sample(type) as? T { return sample }
            throw stop(key)
        }
        // Nested object: recurse with a child recorder; a nested value made of samples lets the parent go on.
        let child = recorder.child(key.stringValue, required: required)
        if let nested = try? T(from: RecordingDecoder(recorder: child, path: path + [key])) { return nested }
        throw stop(key)
    }

    private func stop(_ key: Key) -> DecodingError {
        .valueNotFound(Any.self, .init(codingPath: path + [key], debugDescription: "schema recorded"))
    }

    static func primitive(_ type: Any.Type) -> JSONValue? {
        switch type {
        case is String.Type: .object(["type": .string("string")])
        case is Bool.Type: .object(["type": .string("boolean")])
        case is Int.Type, is Int32.Type, is Int64.Type, is UInt.Type: .object(["type": .string("integer")])
        case is Double.Type, is Float.Type: .object(["type": .string("number")])
        case is [String].Type: .object(["type": .string("array"), "items": .object(["type": .string("string")])])
        case is [Int].Type: .object(["type": .string("array"), "items": .object(["type": .string("integer")])])
        case is [Double].Type: .object(["type": .string("array"), "items": .object(["type": .string("number")])])
        default: nil
        }
    }

    /// Plausible values let decoding continue past required primitives, so later keys are recorded too.
    static func sample(_ type: Any.Type) -> Any? {
        switch type {
        case is String.Type: ""
        case is Bool.Type: false
        case is Int.Type: 0
        case is Int32.Type: Int32(0)
        case is Int64.Type: Int64(0)
        case is UInt.Type: UInt(0)
        case is Double.Type: 0.0
        case is Float.Type: Float(0)
        case is [String].Type: [String]()
        case is [Int].Type: [Int]()
        case is [Double].Type: [Double]()
        default: nil
        }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(RecordingKeyedContainer<NestedKey>(
            recorder: recorder.child(key.stringValue, required: true), path: path + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw stop(key) }
    func superDecoder() throws -> any Decoder { RecordingDecoder(recorder: recorder, path: path) }
    func superDecoder(forKey key: Key) throws -> any Decoder { RecordingDecoder(recorder: recorder, path: path + [key]) }
}
