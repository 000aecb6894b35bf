import Foundation
import Providers

/// A tool whose arguments decode into a Swift type; its JSON Schema is derived from that type.
///
///     struct WeatherArguments: Decodable { let location: String }
///     let tool = TypedTool(name: "getWeather", description: "Current weather for a place",
///                          argumentDescriptions: ["location": "City or place name"]) { (args: WeatherArguments, context) in
///         "Sunny in \(args.location)"
///     }
public struct TypedTool<Arguments: Decodable & Sendable>: Tool {
    public let name: String
    public let description: String
    public let parameters: JSONValue
    private let body: @Sendable (Arguments, ToolContext) async throws -> ToolOutput

    /// A tool that answers in words.
    public init(name: String, description: String, argumentDescriptions: [String: String] = [:],
                body: @escaping @Sendable (Arguments, ToolContext) async throws -> String) {
        self.init(name: name, description: description, argumentDescriptions: argumentDescriptions,
                  output: { arguments, context in .text(try await body(arguments, context)) })
    }

    /// A tool that may also hand the conversation to another agent.
    public init(name: String, description: String, argumentDescriptions: [String: String] = [:],
                output: @escaping @Sendable (Arguments, ToolContext) async throws -> ToolOutput) {
        self.name = name
        self.description = description
        parameters = JSONSchemaGenerator.schema(for: Arguments.self, descriptions: argumentDescriptions)
        body = output
    }

    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        let decoded: Arguments
        do {
            decoded = try JSONDecoder().decode(Arguments.self, from: Data(arguments.jsonText.utf8))
        } catch {
            throw ToolError("the arguments for \(name) are not valid: \(Self.describe(error))")
        }
        return try await body(decoded, context)
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): return "missing \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path) has the wrong type"
        default: return "\(error)"
        }
    }
}
