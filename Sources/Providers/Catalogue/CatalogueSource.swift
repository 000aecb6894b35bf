import Foundation
import SteadfastConfig
import Transport

/// Where one provider lists its models and in which wire format: the list-models endpoint beside
/// the endpoint the adapter calls (a base URL override moves both).
public struct CatalogueSource: Sendable, Equatable {
    public enum Format: String, Sendable, Equatable {
        case openAI, anthropic, gemini, openRouter
    }

    public var provider: String
    public var format: Format
    /// The list-models URL without paging parameters.
    public var url: URL
    /// Kept as a `Secret` (not a header) so printing a source never shows the key.
    public var apiKey: Secret?

    public init(provider: String, format: Format, url: URL, apiKey: Secret? = nil) {
        self.provider = provider
        self.format = format
        self.url = url
        self.apiKey = apiKey
    }

    /// The vendor's authentication headers (OpenRouter's list is public: none).
    var headers: HTTPHeaders {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        guard let key = apiKey?.unredactedValue else { return headers }
        switch format {
        case .openAI, .openRouter: headers.set("Authorization", "Bearer \(key)")
        case .anthropic:
            headers.set("x-api-key", key)
            headers.set("anthropic-version", "2023-06-01")
        case .gemini: headers.set("x-goog-api-key", key)
        }
        return headers
    }

    /// The catalogue of `provider` under `configuration`, or nil when it has none we read (Cloudflare's
    /// Workers AI lists models under another API; the speech-only vendors are not checked).
    public static func forProvider(_ provider: ProviderID, configuration: SteadfastConfiguration) -> CatalogueSource? {
        let settings = configuration.provider(provider)
        let key = settings.apiKey
        switch provider {
        case .openai, .groq, .together:
            let preset: OpenAICompatibleLLM.Preset = provider == .openai ? .openAI : provider == .groq ? .groq : .together
            guard key != nil else { return nil }
            return make(provider, .openAI, base: settings.baseURL ?? preset.defaultBaseURL, path: "/models", key)
        case .openrouter:
            // A public endpoint: no key is sent.
            return make(provider, .openRouter, base: settings.baseURL ?? OpenAICompatibleLLM.Preset.openRouter.defaultBaseURL,
                        path: "/models", nil)
        case .anthropic:
            guard key != nil else { return nil }
            return make(provider, .anthropic, base: settings.baseURL ?? AnthropicLLM.defaultBaseURL, path: "/v1/models", key)
        case .gemini:
            guard key != nil else { return nil }
            return make(provider, .gemini, base: settings.baseURL ?? GeminiLLM.defaultBaseURL, path: "/v1beta/models", key)
        case .cloudflare, .deepgram, .cartesia, .elevenlabs:
            return nil
        }
    }

    private static func make(_ provider: ProviderID, _ format: Format, base: URL, path: String,
                             _ key: Secret?) -> CatalogueSource? {
        guard let url = base.appendingRawPath(path) else { return nil }
        return CatalogueSource(provider: provider.rawValue, format: format, url: url, apiKey: key)
    }

    /// The first page's query (the largest page each vendor allows, so most lists are one request).
    var firstPageQuery: [URLQueryItem] {
        switch format {
        case .anthropic: [URLQueryItem(name: "limit", value: String(AnthropicModelList.pageSize))]
        case .gemini: [URLQueryItem(name: "pageSize", value: String(GeminiModelList.pageSize))]
        case .openAI, .openRouter: []
        }
    }

    func parse(_ json: JSONValue) throws(CatalogueError) -> CataloguePage {
        switch format {
        case .openAI: try OpenAIModelList.parse(json, provider: provider)
        case .anthropic: try AnthropicModelList.parse(json, provider: provider)
        case .gemini: try GeminiModelList.parse(json, provider: provider)
        case .openRouter: try OpenRouterModelList.parse(json, provider: provider)
        }
    }

    func url(query: [URLQueryItem]) -> URL {
        guard !query.isEmpty, var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url }
        components.queryItems = (components.queryItems ?? []) + query
        return components.url ?? url
    }

    /// A stable file name for this endpoint's cache entry (provider plus a hash of the URL, never the key).
    var cacheKey: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in url.absoluteString.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return "\(provider)-\(String(hash, radix: 16))"
    }
}
