import Foundation
import SteadfastConfig
import TestSupport

/// List-models answers in each vendor's documented format. Every fixture is hand-written, following
/// the vendor's API reference (cited per fixture, checked 2026-12-07), not captured from a live API:
/// the ids, dates and prices are ours, the field names and shapes are the vendor's.
enum CatalogueFixtures {
    /// "Now" in these tests: the day the defaults were last checked.
    static let now = Date(timeIntervalSince1970: 1_796_601_600)  // 2026-12-07T00:00:00Z

    /// OpenAI `GET /v1/models` (developers.openai.com/api/reference/resources/models/methods/list):
    /// `shutdown_date` is `YYYY-MM-DD` or null. One retired model, one shutting down in 20 days.
    static let openAI = """
        {"object":"list","data":[
          {"id":"gpt-6-luna","object":"model","created":1793059200,"owned_by":"openai","shutdown_date":null},
          {"id":"gpt-6-luna-mini","object":"model","created":1793145600,"owned_by":"openai","shutdown_date":null},
          {"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system","shutdown_date":"2026-12-27"},
          {"id":"gpt-3.5-turbo","object":"model","created":1677610602,"owned_by":"openai","shutdown_date":"2026-09-28"},
          {"id":"gpt-transcribe","object":"model","created":1790000000,"owned_by":"openai","shutdown_date":null},
          {"id":"gpt-4o-mini-tts","object":"model","created":1742403959,"owned_by":"system","shutdown_date":"2027-01-06"}
        ]}
        """

    /// Groq `GET /openai/v1/models` (console.groq.com/docs/api-reference#models-list): OpenAI's shape
    /// plus `active` and `context_window`.
    static let groq = """
        {"object":"list","data":[
          {"id":"openai/gpt-oss-20b","object":"model","created":1754407957,"owned_by":"OpenAI","active":true,"context_window":131072},
          {"id":"llama-3.1-8b-instant","object":"model","created":1693721698,"owned_by":"Meta","active":false,"context_window":131072},
          {"id":"whisper-large-v3-turbo","object":"model","created":1728413088,"owned_by":"OpenAI","active":true,"context_window":448}
        ]}
        """

    /// Anthropic `GET /v1/models` (docs.anthropic.com/en/api/models-list), two pages: `has_more` and
    /// `last_id`, next page by `after_id`.
    static let anthropicPages = [
        """
        {"data":[{"type":"model","id":"claude-haiku-5-5","display_name":"Claude Haiku 5.5","created_at":"2026-10-07T00:00:00Z"},
                 {"type":"model","id":"claude-sonnet-5","display_name":"Claude Sonnet 5","created_at":"2026-08-01T00:00:00Z"}],
         "has_more":true,"first_id":"claude-haiku-5-5","last_id":"claude-sonnet-5"}
        """,
        """
        {"data":[{"type":"model","id":"claude-haiku-4-5","display_name":"Claude Haiku 4.5","created_at":"2025-10-15T00:00:00Z"}],
         "has_more":false,"first_id":"claude-haiku-4-5","last_id":"claude-haiku-4-5"}
        """,
    ]

    /// Gemini `GET /v1beta/models` (ai.google.dev/api/models#method:-models.list), two pages by
    /// `nextPageToken`; an embedding model without `generateContent`.
    static let geminiPages = [
        """
        {"models":[{"name":"models/gemini-3.5-flash-lite","version":"3.5","displayName":"Gemini 3.5 Flash-Lite",
                    "inputTokenLimit":1048576,"outputTokenLimit":65536,
                    "supportedGenerationMethods":["generateContent","countTokens","createCachedContent"]},
                   {"name":"models/text-embedding-004","displayName":"Text Embedding 004","inputTokenLimit":2048,
                    "supportedGenerationMethods":["embedContent"]}],
         "nextPageToken":"Ch1tb2RlbHMvZ2VtaW5pLTMuNS1mbGFzaA=="}
        """,
        """
        {"models":[{"name":"models/gemini-3.5-flash","displayName":"Gemini 3.5 Flash","inputTokenLimit":1048576,
                    "supportedGenerationMethods":["generateContent","countTokens"]}]}
        """,
    ]

    /// OpenRouter `GET /api/v1/models` (openrouter.ai/docs/models; SDK `ModelsListResponse`): prices
    /// in USD per token as strings, `supported_parameters`, `expiration_date`. Two pages through
    /// `links.next`. Holds an expired, an expiring, a tool-less and an over-ceiling model, and two
    /// Claude versions (the newer under the ceiling).
    static let openRouterPages = [
        """
        {"data":[
          \(openRouterModel("openai/gpt-6-luna", created: 1793059200, prompt: "0.0000001", completion: "0.0000005"))
          ,\(openRouterModel("anthropic/claude-haiku-5.5", created: 1791331200, prompt: "0.000001", completion: "0.000005"))
          ,\(openRouterModel("anthropic/claude-haiku-4.5", created: 1760486400, prompt: "0.000001", completion: "0.000005"))
          ,\(openRouterModel("anthropic/claude-opus-5", created: 1792000000, prompt: "0.000015", completion: "0.000075"))
          ,\(openRouterModel("anthropic/claude-3.5-haiku", created: 1730000000, prompt: "0.0000008", completion: "0.000004",
                             expiration: "2026-02-19"))
          ],
         "links":{"next":"/api/v1/models?offset=5&limit=5"}}
        """,
        """
        {"data":[
          \(openRouterModel("google/gemini-3.5-flash-lite", created: 1784592000, prompt: "0.0000001", completion: "0.0000004"))
          ,\(openRouterModel("google/gemini-3.5-flash", created: 1784000000, prompt: "0.0000003", completion: "0.0000025"))
          ,\(openRouterModel("google/gemini-2.5-flash", created: 1750000000, prompt: "0.0000003", completion: "0.0000025",
                             expiration: "2026-12-20"))
          ,\(openRouterModel("meta-llama/llama-4-scout:free", created: 1743000000, prompt: "0", completion: "0"))
          ,\(openRouterModel("mistralai/mistral-small-4:free", created: 1780000000, prompt: "0", completion: "0", tools: false))
          ,\(openRouterModel("openai/gpt-image-2", created: 1790000000, prompt: "0.000005", completion: "0.00004",
                             output: "image", tools: false))
          ]}
        """,
    ]

    static func openRouterModel(_ id: String, created: Int, prompt: String, completion: String, expiration: String? = nil,
                                output: String = "text", tools: Bool = true) -> String {
        let parameters = (tools ? ["tools", "tool_choice"] : []) + ["max_tokens", "temperature"]
        return """
            {"id":"\(id)","canonical_slug":"\(id)","name":"\(id)","created":\(created),"description":"A model.",
             "context_length":200000,"architecture":{"modality":"text->\(output)","input_modalities":["text"],
             "output_modalities":["\(output)"],"tokenizer":"Other","instruct_type":null},
             "pricing":{"prompt":"\(prompt)","completion":"\(completion)","request":"0","image":"0"},
             "top_provider":{"context_length":200000,"max_completion_tokens":32000,"is_moderated":false},
             "per_request_limits":null,"supported_parameters":[\(parameters.map { "\"\($0)\"" }.joined(separator: ","))],
             "default_parameters":null,"expiration_date":\(expiration.map { "\"\($0)\"" } ?? "null")}
            """
    }

    /// A server answering list-models requests: `pages` in order by the paging parameter each vendor
    /// uses (the first page for a request without one), anything else 404.
    static func server(pages: [String]) throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer(handler: listHandler(pages: pages))
    }

    static func listHandler(pages: [String]) -> @Sendable (RecordedRequest) -> ScriptedResponse {
        { request in
            let query = URLComponents(string: request.path)?.queryItems ?? []
            let paged = query.contains { ["after_id", "pageToken", "offset"].contains($0.name) }
            guard request.path.contains("models") else { return .json(status: 404, #"{"error":{"message":"no route"}}"#) }
            return .json(paged ? pages[min(1, pages.count - 1)] : pages[0])
        }
    }
}

/// Configurations the way the environment makes them: a variable list per test, loaded once.
struct TestEnvironment {
    var variables: [String: String] = [:]

    mutating func set(_ provider: ProviderID, key: String, baseURL: String) {
        variables[provider.apiKeyVariables[0]] = key
        variables[provider.baseURLVariable] = baseURL
    }

    func load() throws -> SteadfastConfiguration { try ConfigurationLoader(environment: variables, envFile: nil).load() }
}
