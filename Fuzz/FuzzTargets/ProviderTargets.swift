import Agents
import Foundation
import Logging
import Providers
import TestSupport
import SteadfastConfig
import Transport

/// What LLM providers send back: SSE framing, each vendor's chunk JSON, tool-call arguments.
enum ProviderTargets {
    enum Vendor: Sendable { case openAI, anthropic, gemini }

    /// First byte: bits 0–5 seed the chunk sizes (1…64 bytes), so a CRLF or a UTF-8 sequence lands
    /// across chunks; the rest is the stream.
    static func sse(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        var parser = SSEParser(maximumLineLength: 4096)
        var index = 1
        var step = Int(first & 0x3F) + 1
        while index < bytes.count {
            let end = min(bytes.count, index + step)
            for event in parser.feed(bytes[index..<end]) { _ = event.data.count }
            index = end
            step = step * 7 % 64 + 1
        }
        _ = parser.finish()
        _ = parser.commentCount
    }

    /// A response to a full request (system prompt, tool, replayed tool round trip), delivered as
    /// the body of an HTTP response. First byte: the status (most values mean 200; a few pick 400,
    /// 429 with a Retry-After, 500, 503) and the chunk size; the rest is the body.
    static func stream(_ vendor: Vendor, _ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let body = Array(bytes.dropFirst())
        let status: Int
        var headers: HTTPHeaders = ["Content-Type": "text/event-stream"]
        switch first & 0x0F {
        case 0x0: status = 400
        case 0x1: status = 429; headers.set("Retry-After", "7")
        case 0x2: status = 500
        case 0x3: status = 503
        default: status = 200
        }
        let transport = BodyTransport(status: status, headers: headers, body: body, chunkSize: Int(first >> 4) * 16 + 1)
        let llm = makeLLM(vendor, transport: transport)
        AsyncRunner.run {
            do {
                for try await event in llm.stream(fullRequest) { _ = event }
            } catch {}
        }
    }

    private static func makeLLM(_ vendor: Vendor, transport: any HTTPTransport) -> any LLM {
        switch vendor {
        case .openAI:
            OpenAICompatibleLLM(preset: .openAI, model: "m", apiKey: Secret("sk-fuzz-0000000000000000"), transport: transport)
        case .anthropic:
            AnthropicLLM(model: "m", apiKey: Secret("sk-ant-fuzz-000000000000"), transport: transport)
        case .gemini:
            GeminiLLM(model: "m", apiKey: Secret("AIzaFuzzKey0000000000000000"), transport: transport)
        }
    }

    /// The provider tests' request (TestSupport), so the fuzzed streams answer what the tests send.
    static var fullRequest: LLMRequest { TestSupport.fullRequest }

    // MARK: Tool arguments

    private struct WeatherArguments: Decodable, Sendable {
        let location: String
        let days: Int?
        let units: [String]?
        let detailed: Bool?
        let threshold: Double?
    }

    private static let typedTool = TypedTool(name: "getWeather", description: "fuzz") { (arguments: WeatherArguments, _) in
        "\(arguments.location) \(arguments.days ?? 0) \(arguments.units?.count ?? 0)"
    }

    private static let logger = Logger(label: "steadfast.fuzz") { _ in SwiftLogNoOpLogHandler() }

    /// The input is what a model put in a tool call's `arguments`: parsed as the tool loop does, run
    /// through a typed tool and GET/POST webhook tools (whose server answers with the same bytes),
    /// and replayed in the next request to each vendor's encoder.
    static func toolArguments(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parsed = JSONValue(parsing: text.isEmpty ? "{}" : text)
        if let parsed { _ = JSONValue(parsing: parsed.jsonText) }
        let echo = BodyTransport(status: 200, headers: [:], body: bytes, chunkSize: 97)
        let tools: [any Tool] = [
            typedTool,
            WebhookTool(definition: WebhookToolDefinition(name: "lookup", description: "fuzz",
                                                          url: URL(string: "https://example.invalid/hook?x=1"),
                                                          method: "GET"), transport: echo),
            WebhookTool(definition: WebhookToolDefinition(name: "capture", description: "fuzz",
                                                          url: URL(string: "https://example.invalid/hook"),
                                                          method: "POST"), transport: echo),
        ]
        var request = fullRequest
        request.messages.append(.assistant("", toolCalls: [ToolCall(id: "call_2", name: "getWeather", arguments: text)]))
        request.messages.append(.toolResult(callID: "call_2", name: "getWeather", content: text))
        let replayed = request
        let empty = BodyTransport(status: 200, headers: [:], body: [], chunkSize: 1)
        AsyncRunner.run {
            if let parsed {
                let context = ToolContext(agentName: "fuzz", logger: logger)
                for tool in tools {
                    _ = try? await tool.execute(arguments: parsed, context: context)
                }
            }
            for vendor in [Vendor.openAI, .anthropic, .gemini] {
                do {
                    for try await event in makeLLM(vendor, transport: empty).stream(replayed) { _ = event }
                } catch {}
            }
        }
    }
}

/// An `HTTPTransport` that answers every request with one canned response, body cut into fixed chunks.
final class BodyTransport: HTTPTransport {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]
    let chunkSize: Int

    init(status: Int, headers: HTTPHeaders, body: [UInt8], chunkSize: Int) {
        self.status = status
        self.headers = headers
        self.body = body
        self.chunkSize = max(1, chunkSize)
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var chunks: [[UInt8]] = []
        var index = 0
        while index < body.count {
            chunks.append(Array(body[index..<min(body.count, index + chunkSize)]))
            index += chunkSize
        }
        return HTTPResponse(head: HTTPResponseHead(status: status, headers: headers), body: AsyncThrowingStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        })
    }
}
