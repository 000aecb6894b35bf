import Agents
import Providers
import Testing

@Suite("JSON Schema from Decodable arguments")
struct JSONSchemaGeneratorTests {
    struct Arguments: Decodable {
        let location: String
        let days: Int?
        let metric: Bool
    }

    @Test func requiredAndOptionalKeysAreTypedFromTheDecoder() throws {
        let schema = JSONSchemaGenerator.schema(for: Arguments.self, descriptions: ["location": "City name"])
        guard case .object(let object) = schema, case .object(let properties)? = object["properties"] else {
            Issue.record("schema is not an object: \(schema)"); return
        }
        #expect(object["type"] == .string("object"))
        #expect(properties["location"] == .object(["type": .string("string"), "description": .string("City name")]))
        #expect(properties["days"] == .object(["type": .string("integer")]))
        #expect(properties["metric"] == .object(["type": .string("boolean")]))
        #expect(object["required"] == .array([.string("location"), .string("metric")]))
    }
}
