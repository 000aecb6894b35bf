import Foundation
import Logging
import SteadfastConfig
import Transport

/// An `LLM` for Gemini's native `streamGenerateContent` API.
///
/// Native rather than the OpenAI endpoint because only the native format carries `thoughtSignature`,
/// which Gemini requires on replayed function calls after a fallback (llm-routing.md §6 item 18).
public struct GeminiLLM: LLM {
    public static let defaultBaseURL = URL(string: "https://generativelanguage.googleapis.com")!  // literal, always valid

    public let providerName: String
    public let model: String
    public let baseURL: URL
    private let apiKey: Secret?
    private let driver: SSEStreamDriver

    public init(model: String, apiKey: Secret?, baseURL: URL? = nil, providerName: String = "gemini",
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
            guard let url = Self.url(baseURL: baseURL, model: request.model ?? model) else {
                throw ProviderError(.badRequest, "invalid base URL or model name", provider: provider)
            }
            var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept": "text/event-stream"]
            // A header rather than `?key=`: URLs end up in logs, headers do not.
            if let apiKey { headers.set("x-goog-api-key", apiKey.unredactedValue) }
            return HTTPRequest(method: "POST", url: url, headers: headers,
                               body: GeminiRequestEncoder.body(for: request).jsonBytes,
                               timeouts: .forLLM(deadline: request.deadline))
        }, decoder: GeminiStreamDecoder(classifier: driver.classifier))
    }

    /// `{base}/v1beta/models/{model}:streamGenerateContent?alt=sse`; accepts "models/x" as well as "x".
    static func url(baseURL: URL, model: String) -> URL? {
        var name = model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model
        name = name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "#"])) ?? name
        guard !name.isEmpty else { return nil }
        return baseURL.appendingRawPath("/v1beta/models/\(name):streamGenerateContent?alt=sse")
    }
}
