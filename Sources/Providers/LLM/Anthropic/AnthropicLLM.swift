import Foundation
import Logging
import SteadfastConfig
import Transport

/// An `LLM` for Anthropic's native Messages API (`POST {base}/v1/messages`, streamed).
///
/// Native rather than through an OpenAI shim because in-stream `overloaded_error` events, cache
/// token counts and `tool_use` ids only survive on the native wire format.
public struct AnthropicLLM: LLM {
    public static let defaultBaseURL = URL(string: "https://api.anthropic.com")!  // literal, always valid
    /// The API version this decoder was written against.
    public static let apiVersion = "2023-06-01"

    public let providerName: String
    public let model: String
    public let baseURL: URL
    private let apiKey: Secret?
    private let driver: SSEStreamDriver

    public init(model: String, apiKey: Secret?, baseURL: URL? = nil, providerName: String = "anthropic",
                transport: any HTTPTransport, logger: Logger = Logger(label: "steadfast.providers.llm")) {
        self.providerName = providerName
        self.model = model
        self.baseURL = baseURL ?? Self.defaultBaseURL
        self.apiKey = apiKey
        self.driver = SSEStreamDriver(
            transport: transport,
            classifier: ErrorClassifier(provider: providerName, secrets: apiKey.map { [$0.unredactedValue] } ?? []),
            logger: logger)
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        let (baseURL, apiKey, model, provider) = (self.baseURL, self.apiKey, self.model, providerName)
        return driver.stream(request: {
            guard let url = baseURL.appendingRawPath("/v1/messages") else {
                throw ProviderError(.badRequest, "invalid base URL", provider: provider)
            }
            var headers: HTTPHeaders = [
                "Content-Type": "application/json",
                "Accept": "text/event-stream",
                "anthropic-version": Self.apiVersion,
            ]
            if let apiKey { headers.set("x-api-key", apiKey.unredactedValue) }
            let body = AnthropicRequestEncoder.body(for: request, model: request.model ?? model)
            return HTTPRequest(method: "POST", url: url, headers: headers, body: body.jsonBytes,
                               timeouts: .forLLM(deadline: request.deadline))
        }, decoder: AnthropicStreamDecoder(classifier: driver.classifier))
    }
}
