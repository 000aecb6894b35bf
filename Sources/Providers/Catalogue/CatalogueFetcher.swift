import Foundation
import Transport

/// Fetches a provider's whole model list, page by page, within `CatalogueLimits`. Stateless: the
/// store decides when to call it and what to do when it fails.
struct CatalogueFetcher: Sendable {
    var transport: any HTTPTransport
    var limits: CatalogueLimits
    /// Per request: connect, first byte, idle gap and whole transfer.
    var timeout: Duration

    func fetch(_ source: CatalogueSource, now: Date) async throws(CatalogueError) -> ModelCatalogue {
        var models: [CatalogueModel] = []
        var seen = Set<String>()
        var query = source.firstPageQuery
        for _ in 0..<limits.pages {
            let page = try source.parse(try await json(source, query: query))
            for model in page.models where seen.insert(model.id).inserted { models.append(model) }
            if models.count > limits.models {
                throw CatalogueError(.tooLarge, provider: source.provider, "more than \(limits.models) models listed")
            }
            guard let next = page.next, !page.models.isEmpty else {
                return ModelCatalogue(provider: source.provider, fetchedAt: now, models: models)
            }
            query = next
        }
        throw CatalogueError(.tooLarge, provider: source.provider, "more than \(limits.pages) pages of models")
    }

    private func json(_ source: CatalogueSource, query: [URLQueryItem]) async throws(CatalogueError) -> JSONValue {
        let request = HTTPRequest(method: "GET", url: source.url(query: query), headers: source.headers,
                                  timeouts: HTTPTimeouts(connect: timeout, firstByte: timeout, idle: timeout, total: timeout))
        let body: [UInt8]
        let status: Int
        do {
            let response = try await transport.send(request)
            status = response.head.status
            // One byte over the bound tells an oversized answer from one that fits exactly.
            body = try await response.collectBody(limit: limits.pageBytes + 1)
        } catch {
            let reason = (error as? HTTPError)?.message ?? String(describing: error)
            throw CatalogueError(.unreachable, provider: source.provider,
                                 "cannot reach \(source.url.host ?? "the endpoint"): \(SecretScrubber.scrub(reason))")
        }
        guard (200..<300).contains(status) else {
            let failure = ErrorClassifier(provider: source.provider, secrets: source.apiKey.map { [$0.unredactedValue] } ?? [])
                .classify(status: status, body: Array(body.prefix(4096)))
            throw CatalogueError(.unreachable, provider: source.provider,
                                 "HTTP \(status) from \(source.url.host ?? "the endpoint"): \(failure.message.prefix(160))")
        }
        guard body.count <= limits.pageBytes else {
            throw CatalogueError(.tooLarge, provider: source.provider, "answer larger than \(limits.pageBytes) bytes")
        }
        return try limits.json(body, provider: source.provider)
    }
}
