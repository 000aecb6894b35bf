import Foundation

/// OpenRouter's `GET /api/v1/models` (no key needed):
/// `{"data":[{"id","name","created","context_length","architecture":{"output_modalities"},
/// "pricing":{"prompt","completion"},"supported_parameters":[…],"expiration_date"}]}`. Prices are
/// strings in USD per token; `tools` in `supported_parameters` means tool calling works.
///
/// Reference: https://openrouter.ai/docs/models and the SDK's `ModelsListResponse`
/// (https://openrouter.ai/docs/sdks/typescript/models/modelslistresponse), checked 2026-12-07. The
/// list is one page today; when the answer carries `links.next` (`?offset=…&limit=…`) it is followed.
enum OpenRouterModelList {
    static func parse(_ json: JSONValue, provider: String) throws(CatalogueError) -> CataloguePage {
        guard let entries = json["data"]?.arrayValue else {
            throw CatalogueError(.malformed, provider: provider, "answer has no \"data\" list of models")
        }
        let models = entries.compactMap { entry -> CatalogueModel? in
            guard let id = entry["id"]?.stringValue, !id.isEmpty else { return nil }
            let parameters = entry["supported_parameters"]?.arrayValue?.compactMap(\.stringValue)
            let outputs = entry["architecture"]?["output_modalities"]?.arrayValue?.compactMap(\.stringValue)
                ?? entry["architecture"]?["modality"]?.stringValue.map { [String($0.split(separator: ">").last ?? "")] }
            return CatalogueModel(
                id: id, displayName: entry["name"]?.stringValue,
                created: CatalogueModel.unixTime(entry["created"]?.numberValue),
                shutdownDate: CatalogueModel.day(entry["expiration_date"]?.stringValue)
                    ?? CatalogueModel.instant(entry["expiration_date"]?.stringValue),
                supportsTools: parameters.map { $0.contains("tools") },
                producesText: outputs.map { $0.contains("text") },
                contextLength: entry["context_length"]?.intValue,
                inputPricePerMillion: perMillion(entry["pricing"]?["prompt"]),
                outputPricePerMillion: perMillion(entry["pricing"]?["completion"]))
        }
        var next: [URLQueryItem]?
        if let link = json["links"]?["next"]?.stringValue, let items = URLComponents(string: link)?.queryItems,
           !items.isEmpty, !models.isEmpty {
            next = items
        }
        return CataloguePage(models: models, next: next)
    }

    /// "0.0000005" USD per token → 0.5 per million; negative (OpenRouter's `-1` for "variable", as on
    /// `openrouter/auto`) reads as unknown.
    static func perMillion(_ value: JSONValue?) -> Double? {
        let perToken: Double?
        switch value {
        case .string(let text)?: perToken = Double(text)
        case .number(let number)?: perToken = number
        default: perToken = nil
        }
        guard let perToken, perToken.isFinite, perToken >= 0 else { return nil }
        return (perToken * 1_000_000 * 1_000_000).rounded() / 1_000_000
    }
}
