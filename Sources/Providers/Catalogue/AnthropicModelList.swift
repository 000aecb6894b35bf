import Foundation

/// Anthropic's `GET /v1/models`, newest first and paginated:
/// `{"data":[{"type":"model","id","display_name","created_at"}],"has_more","first_id","last_id"}`;
/// the next page is `?after_id=<last_id>` (limit 1–1000).
///
/// Reference: https://docs.anthropic.com/en/api/models-list (checked 2026-12-07). The list carries no
/// retirement date: a retired model is simply absent.
enum AnthropicModelList {
    static let pageSize = 1000

    static func parse(_ json: JSONValue, provider: String) throws(CatalogueError) -> CataloguePage {
        guard let entries = json["data"]?.arrayValue else {
            throw CatalogueError(.malformed, provider: provider, "answer has no \"data\" list of models")
        }
        let models = entries.compactMap { entry -> CatalogueModel? in
            guard let id = entry["id"]?.stringValue, !id.isEmpty else { return nil }
            return CatalogueModel(id: id, displayName: entry["display_name"]?.stringValue,
                                  created: CatalogueModel.instant(entry["created_at"]?.stringValue), producesText: true)
        }
        var next: [URLQueryItem]?
        if json["has_more"]?.boolValue == true, let last = json["last_id"]?.stringValue ?? models.last?.id {
            next = [URLQueryItem(name: "limit", value: String(pageSize)), URLQueryItem(name: "after_id", value: last)]
        }
        return CataloguePage(models: models, next: next)
    }
}
