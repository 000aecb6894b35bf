import Foundation

/// OpenAI's `GET /v1/models` answer, also spoken by Groq, Together and other OpenAI-compatible hosts:
/// `{"object":"list","data":[{"id","object":"model","created","owned_by","shutdown_date"}]}`.
///
/// Reference: https://developers.openai.com/api/reference/resources/models/methods/list (checked
/// 2026-12-07; `shutdown_date` is a `YYYY-MM-DD` string or null). Groq adds `active` and
/// `context_window` (https://console.groq.com/docs/models); Together answers a bare array with
/// `type`, `context_length` and `pricing.{input,output}` in USD per million tokens. Not paginated.
enum OpenAIModelList {
    static func parse(_ json: JSONValue, provider: String) throws(CatalogueError) -> CataloguePage {
        guard let entries = json["data"]?.arrayValue ?? json.arrayValue else {
            throw CatalogueError(.malformed, provider: provider, "answer has no \"data\" list of models")
        }
        let models = entries.compactMap { entry -> CatalogueModel? in
            guard let id = entry["id"]?.stringValue, !id.isEmpty else { return nil }
            let type = entry["type"]?.stringValue?.lowercased()
            return CatalogueModel(
                id: id, displayName: entry["display_name"]?.stringValue,
                created: CatalogueModel.unixTime(entry["created"]?.numberValue),
                shutdownDate: CatalogueModel.day(entry["shutdown_date"]?.stringValue),
                producesText: type.map { ["chat", "language", "code"].contains($0) },
                contextLength: entry["context_window"]?.intValue ?? entry["context_length"]?.intValue,
                inputPricePerMillion: entry["pricing"]?["input"]?.numberValue,
                outputPricePerMillion: entry["pricing"]?["output"]?.numberValue,
                active: entry["active"]?.boolValue)
        }
        return CataloguePage(models: models, next: nil)
    }
}
