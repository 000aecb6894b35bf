import Foundation
import Logging
import SteadfastConfig
import Transport

/// An `LLM` for any server that speaks OpenAI Chat Completions with SSE streaming.
///
/// One adapter covers OpenAI, Groq, Together, OpenRouter, Gemini's OpenAI endpoint, Workers AI and
/// local servers; only the base URL, key and headers differ (see `Preset`). Requests always ask for
/// `stream_options.include_usage` so costs and token counts arrive at the end of the stream.
public struct OpenAICompatibleLLM: LLM {
    /// Everything that distinguishes one OpenAI-compatible endpoint from another.
    public struct Configuration: Sendable {
        public var providerName: String
        /// Requests go to `{baseURL}/chat/completions`.
        public var baseURL: URL
        public var model: String
        /// Sent as `Authorization: Bearer …`; nil for local servers.
        public var apiKey: Secret?
        /// Vendor extras such as OpenRouter's attribution headers.
        public var extraHeaders: HTTPHeaders
        /// Extra top-level body fields (OpenRouter's `models` fallback array).
        public var extraBody: [String: JSONValue]
        /// OpenAI itself: the token limit goes out as `max_completion_tokens` and GPT-6 models get
        /// `reasoning_effort: "none"` with tools (see `OpenAIChatRequestEncoder`); other vendors keep
        /// `max_tokens`, the field their docs name.
        public var speaksOpenAIParameters: Bool

        public init(providerName: String, baseURL: URL, model: String, apiKey: Secret? = nil,
                    extraHeaders: HTTPHeaders = [:], extraBody: [String: JSONValue] = [:],
                    speaksOpenAIParameters: Bool = false) {
            self.providerName = providerName
            self.baseURL = baseURL
            self.model = model
            self.apiKey = apiKey
            self.extraHeaders = extraHeaders
            self.extraBody = extraBody
            self.speaksOpenAIParameters = speaksOpenAIParameters
        }
    }

    public let configuration: Configuration
    private let driver: SSEStreamDriver

    public var providerName: String { configuration.providerName }
    public var model: String { configuration.model }

    public init(configuration: Configuration, transport: any HTTPTransport,
                logger: Logger = Logger(label: "steadfast.providers.llm")) {
        self.configuration = configuration
        let secrets = configuration.apiKey.map { [$0.unredactedValue] } ?? []
        self.driver = SSEStreamDriver(
            transport: transport, classifier: ErrorClassifier(provider: configuration.providerName, secrets: secrets),
            logger: logger)
    }

    /// A preset vendor; `baseURL` overrides the vendor default (proxies, test servers).
    public init(preset: Preset, model: String, apiKey: Secret?, baseURL: URL? = nil, extraHeaders: HTTPHeaders = [:],
                transport: any HTTPTransport, logger: Logger = Logger(label: "steadfast.providers.llm")) {
        self.init(
            configuration: Configuration(providerName: preset.providerName, baseURL: baseURL ?? preset.defaultBaseURL,
                                         model: model, apiKey: apiKey, extraHeaders: extraHeaders,
                                         speaksOpenAIParameters: preset == .openAI),
            transport: transport, logger: logger)
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        stream(request, extraBody: configuration.extraBody, onModel: nil)
    }

    /// The stream, with extra body fields for this call and a callback told the model that served it.
    func stream(_ request: LLMRequest, extraBody: [String: JSONValue],
                onModel: (@Sendable (String) -> Void)?) -> AsyncThrowingStream<LLMEvent, any Error> {
        let configuration = self.configuration
        let decoder = OpenAIStreamDecoder(classifier: driver.classifier, onModel: onModel)
        return driver.stream(request: {
            try Self.httpRequest(for: request, configuration: configuration, extraBody: extraBody)
        }, decoder: decoder)
    }

    static func httpRequest(for request: LLMRequest, configuration: Configuration,
                            extraBody: [String: JSONValue]) throws(ProviderError) -> HTTPRequest {
        guard let url = configuration.baseURL.appendingRawPath("/chat/completions") else {
            throw ProviderError(.badRequest, "invalid base URL", provider: configuration.providerName)
        }
        var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept": "text/event-stream"]
        if let key = configuration.apiKey { headers.set("Authorization", "Bearer \(key.unredactedValue)") }
        for field in configuration.extraHeaders { headers.set(field.name, field.value) }
        let model = request.model ?? configuration.model
        var fields = extraBody
        if configuration.speaksOpenAIParameters, fields["reasoning_effort"] == nil,
           let effort = OpenAIChatRequestEncoder.openAIReasoningEffort(model: model, hasTools: !request.tools.isEmpty) {
            fields["reasoning_effort"] = .string(effort)
        }
        let body = OpenAIChatRequestEncoder.body(
            for: request, model: model, extraFields: fields,
            tokenLimitField: configuration.speaksOpenAIParameters ? .maxCompletionTokens : .maxTokens)
        return HTTPRequest(method: "POST", url: url, headers: headers, body: body.jsonBytes,
                           timeouts: .forLLM(deadline: request.deadline))
    }
}

extension OpenAICompatibleLLM {
    /// The classifier this adapter's errors went through (wrappers re-map foreign errors the same way).
    var driverClassifier: ErrorClassifier { driver.classifier }
}
