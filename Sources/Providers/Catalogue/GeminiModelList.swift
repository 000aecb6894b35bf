import Foundation

/// The Gemini API's `GET /v1beta/models`, paginated:
/// `{"models":[{"name":"models/…","displayName","inputTokenLimit","outputTokenLimit",
/// "supportedGenerationMethods":["generateContent",…]}],"nextPageToken":"…"}`; the next page is
/// `?pageToken=<token>` (pageSize up to 1000).
///
/// Reference: https://ai.google.dev/api/models#method:-models.list (checked 2026-12-07). A model
/// without `generateContent` (embeddings, AQA) cannot serve the agent.
enum GeminiModelList {
    static let pageSize = 1000

    static func parse(_ json: JSONValue, provider: String) throws(CatalogueError) -> CataloguePage {
        guard case .object = json else {
            throw CatalogueError(.malformed, provider: provider, "answer is not a JSON object")
        }
        // An empty project answers `{}`; anything else must be a list.
        let entries = json["models"]?.arrayValue ?? []
        if json["models"] != nil, json["models"]?.arrayValue == nil {
            throw CatalogueError(.malformed, provider: provider, "\"models\" is not a list")
        }
        let models = entries.compactMap { entry -> CatalogueModel? in
            guard var id = entry["name"]?.stringValue, !id.isEmpty else { return nil }
            if id.hasPrefix("models/") { id.removeFirst("models/".count) }
            let methods = entry["supportedGenerationMethods"]?.arrayValue?.compactMap(\.stringValue)
            return CatalogueModel(id: id, displayName: entry["displayName"]?.stringValue,
                                  producesText: methods.map { $0.contains("generateContent") },
                                  contextLength: entry["inputTokenLimit"]?.intValue)
        }
        var next: [URLQueryItem]?
        if let token = json["nextPageToken"]?.stringValue, !token.isEmpty {
            next = [URLQueryItem(name: "pageSize", value: String(pageSize)), URLQueryItem(name: "pageToken", value: token)]
        }
        return CataloguePage(models: models, next: next)
    }
}
