import Foundation
import Providers
import Transport

/// A tool backed by an HTTP endpoint from an agent file: POST/PUT/PATCH send the model's arguments
/// as JSON, GET/DELETE as a query string; the response text (truncated) goes back to the model.
///
/// Header values are secrets and are never logged; logs carry the tool, method, host and status only.
public struct WebhookTool: Tool {
    /// Long responses would crowd the context and be read out; the model needs the gist.
    public static let maximumResultCharacters = 2000

    public let definition: WebhookToolDefinition
    private let transport: any HTTPTransport

    public init(definition: WebhookToolDefinition, transport: any HTTPTransport) {
        self.definition = definition
        self.transport = transport
    }

    public var name: String { definition.name }
    public var description: String { definition.description }
    public var parameters: JSONValue { definition.parameters }

    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        guard let url = definition.url else {
            context.logger.warning("Webhook tool \(name) is not configured",
                                   metadata: ["tool.name": "\(name)",
                                              "config.missing": "\(definition.missingVariables.joined(separator: ","))"])
            throw ToolError("\(name) is not set up on this server yet, so nothing was sent")
        }
        let request = try makeRequest(url: url, arguments: arguments)
        let status: Int
        let body: [UInt8]
        do {
            let response = try await transport.send(request)
            status = response.head.status
            body = try await response.collectBody(limit: 64 * 1024)
        } catch {
            context.logger.warning("Webhook tool \(name) could not reach its server",
                                   metadata: ["tool.name": "\(name)", "http.host": "\(url.host ?? "")"])
            throw ToolError("\(name) could not reach its server; it did not go through")
        }
        context.logger.info("Webhook tool \(name) answered", metadata: [
            "tool.name": "\(name)", "http.method": "\(definition.method)", "http.host": "\(url.host ?? "")",
            "http.status": "\(status)",
        ])
        guard (200..<300).contains(status) else {
            throw ToolError("\(name) failed: its server answered HTTP \(status); it did not go through")
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return .text("done") }
        guard text.count > Self.maximumResultCharacters else { return .text(text) }
        return .text(String(text.prefix(Self.maximumResultCharacters)) + " …(truncated)")
    }

    func makeRequest(url: URL, arguments: JSONValue) throws(ToolError) -> HTTPRequest {
        var headers = HTTPHeaders()
        for header in definition.headers { headers.set(header.name, header.value.unredactedValue) }
        let timeouts = HTTPTimeouts(connect: .seconds(5), total: definition.timeout)
        if ["GET", "DELETE"].contains(definition.method) {
            guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
                throw ToolError("\(name) is not set up correctly")
            }
            let items = (arguments.objectValue ?? [:]).sorted { $0.key < $1.key }.map { key, value in
                URLQueryItem(name: key, value: value.stringValue ?? value.jsonText)
            }
            if !items.isEmpty { components.queryItems = (components.queryItems ?? []) + items }
            guard let withQuery = components.url else { throw ToolError("\(name) is not set up correctly") }
            return HTTPRequest(method: definition.method, url: withQuery, headers: headers, timeouts: timeouts)
        }
        if headers["Content-Type"] == nil { headers.set("Content-Type", "application/json") }
        return HTTPRequest(method: definition.method, url: url, headers: headers, body: Array(arguments.jsonText.utf8),
                           timeouts: timeouts)
    }
}
