import Foundation
import Logging
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// Model catalogues fetched from local servers speaking each vendor's list-models format (fixtures
/// in CatalogueFixtures.swift, hand-written from the API references), with pagination, the disk
/// cache and the bounds.
@Suite("Model catalogue fetch", .timeLimit(.minutes(2)))
struct CatalogueFetchTests {
    static let key = "sk-catalogue-test-0123456789abcdef"

    static func store(_ directory: URL? = nil, limits: CatalogueLimits = CatalogueLimits(),
                      now: Date = CatalogueFixtures.now, logs: CapturingLogHandler.Store = .init()) throws -> ModelCatalogueStore {
        ModelCatalogueStore(transport: try CurlHTTPClient(), cacheDirectory: directory, fetchTimeout: .seconds(5), limits: limits,
                            logger: CapturingLogHandler.logger(logs), wallClock: { now })
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-catalogue-\(UUID().uuidString)")
    }

    static func source(_ provider: ProviderID, _ server: ScriptedHTTPServer, path: String = "") throws -> CatalogueSource {
        var environment = TestEnvironment()
        environment.set(provider, key: key, baseURL: server.baseURL.absoluteString + path)
        let configuration = try environment.load()
        return try #require(CatalogueSource.forProvider(provider, configuration: configuration))
    }

    @Test func openAIListWithShutdownDates() async throws {
        let server = try CatalogueFixtures.server(pages: [CatalogueFixtures.openAI])
        defer { server.stop() }
        let lookup = try await Self.store().catalogue(try Self.source(.openai, server, path: "/v1"))
        let catalogue = try #require(lookup.catalogue, "\(String(describing: lookup.error))")
        #expect(lookup.origin == .network)
        #expect(catalogue.models.count == 6)
        #expect(catalogue.model("gpt-4o-mini")?.shutdownDate == CatalogueModel.dayForTests("2026-12-27"))
        #expect(catalogue.model("gpt-6-luna")?.shutdownDate == nil)
        #expect(server.requests.map(\.path) == ["/v1/models"])
        #expect(server.requests.first?.header("Authorization") == "Bearer \(Self.key)")
    }

    @Test func groqActiveFlagAndContextWindow() async throws {
        let server = try CatalogueFixtures.server(pages: [CatalogueFixtures.groq])
        defer { server.stop() }
        let catalogue = try #require(try await Self.store().catalogue(try Self.source(.groq, server)).catalogue)
        #expect(catalogue.model("llama-3.1-8b-instant")?.active == false)
        #expect(catalogue.model("llama-3.1-8b-instant")?.isRetired(now: CatalogueFixtures.now) == true)
        #expect(catalogue.model("openai/gpt-oss-20b")?.contextLength == 131_072)
    }

    @Test func anthropicFollowsHasMoreWithAfterID() async throws {
        let server = try CatalogueFixtures.server(pages: CatalogueFixtures.anthropicPages)
        defer { server.stop() }
        let catalogue = try #require(try await Self.store().catalogue(try Self.source(.anthropic, server)).catalogue)
        #expect(catalogue.models.map(\.id) == ["claude-haiku-5-5", "claude-sonnet-5", "claude-haiku-4-5"])
        #expect(server.requests.map(\.path) == ["/v1/models?limit=1000", "/v1/models?limit=1000&after_id=claude-sonnet-5"])
        #expect(server.requests.first?.header("x-api-key") == Self.key)
        #expect(server.requests.first?.header("anthropic-version") == "2023-06-01")
    }

    @Test func geminiFollowsNextPageTokenAndKnowsGenerateContent() async throws {
        let server = try CatalogueFixtures.server(pages: CatalogueFixtures.geminiPages)
        defer { server.stop() }
        let catalogue = try #require(try await Self.store().catalogue(try Self.source(.gemini, server)).catalogue)
        #expect(catalogue.models.map(\.id) == ["gemini-3.5-flash-lite", "text-embedding-004", "gemini-3.5-flash"])
        #expect(catalogue.model("models/gemini-3.5-flash-lite")?.contextLength == 1_048_576)
        #expect(catalogue.model("text-embedding-004")?.producesText == false)
        #expect(server.requests.count == 2)
        #expect(server.requests.last?.path.contains("pageToken=Ch1tb2RlbHMvZ2VtaW5pLTMuNS1mbGFzaA") == true)
        #expect(server.requests.first?.header("x-goog-api-key") == Self.key)
    }

    @Test func openRouterPricesToolsExpiryAndLinksNext() async throws {
        let server = try CatalogueFixtures.server(pages: CatalogueFixtures.openRouterPages)
        defer { server.stop() }
        let catalogue = try #require(try await Self.store().catalogue(try Self.source(.openrouter, server, path: "/api/v1")).catalogue)
        #expect(catalogue.models.count == 11)
        let haiku = try #require(catalogue.model("anthropic/claude-haiku-5.5"))
        #expect(haiku.supportsTools == true && haiku.producesText == true && haiku.contextLength == 200_000)
        #expect(haiku.inputPricePerMillion == 1 && haiku.outputPricePerMillion == 5)
        #expect(catalogue.model("anthropic/claude-3.5-haiku")?.isRetired(now: CatalogueFixtures.now) == true)
        #expect(catalogue.model("google/gemini-2.5-flash")?.isExpiring(now: CatalogueFixtures.now) == true)
        #expect(catalogue.model("openai/gpt-image-2")?.producesText == false)
        #expect(catalogue.model("mistralai/mistral-small-4:free")?.supportsTools == false)
        #expect(server.requests.map(\.path) == ["/api/v1/models", "/api/v1/models?offset=5&limit=5"])
        // OpenRouter's list is public: the key is not sent.
        #expect(server.requests.allSatisfy { $0.header("Authorization") == nil })
    }

    /// Start-up without network: the copy on disk answers, fresh without a request, stale (older
    /// than a day) after the fetch failed; with neither, one clear error and no catalogue.
    @Test func offlineStartUsesTheDiskCache() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try CatalogueFixtures.server(pages: [CatalogueFixtures.openAI])
        let source = try Self.source(.openai, server, path: "/v1")
        #expect(try await Self.store(directory).catalogue(source).origin == .network)
        server.stop()

        let fresh = try await Self.store(directory, now: CatalogueFixtures.now.addingTimeInterval(3_600)).catalogue(source)
        #expect(fresh.origin == .cache && fresh.catalogue?.models.count == 6)
        #expect(server.requests.count == 1, "a fresh cache makes no request")

        let logs = CapturingLogHandler.Store()
        let stale = try await Self.store(directory, now: CatalogueFixtures.now.addingTimeInterval(2 * 86_400), logs: logs)
            .catalogue(source)
        #expect(stale.origin == .staleCache && stale.catalogue?.models.count == 6 && stale.error?.code == .unreachable)
        #expect(logs.lines.filter { $0.contains("model catalogue") }.count == 1, "\(logs.lines)")

        let none = try await Self.store(Self.temporaryDirectory()).catalogue(source)
        #expect(none.origin == .none && none.catalogue == nil && none.error?.code == .unreachable)
    }

    /// Malformed, oversized and deeply nested answers: one clear error each, no catalogue, no trap.
    @Test(arguments: [
        ("<html>502 Bad Gateway</html>", CatalogueError.Code.malformed, "not JSON"),
        (#"{"object":"list","models":[]}"#, .malformed, "no \"data\" list"),
        (String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000), .tooLarge, "nests deeper"),
        (#"{"data":["# + String(repeating: #"{"id":"m","object":"model"},"#, count: 3_000) + #"{"id":"z"}]}"#, .tooLarge, "larger than"),
    ])
    func badAnswersCostOneError(body: String, code: CatalogueError.Code, words: String) async throws {
        let server = try ScriptedHTTPServer(responses: [.json(body)])
        defer { server.stop() }
        let lookup = try await Self.store(limits: CatalogueLimits(pageBytes: 64 << 10)).catalogue(try Self.source(.openai, server))
        #expect(lookup.catalogue == nil)
        let error = try #require(lookup.error)
        #expect(error.code == code && error.description.contains(words), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    /// A page that repeats forever (a server ignoring the cursor) stops at the page bound.
    @Test func endlessPagingStopsAtTheBound() async throws {
        let server = try ScriptedHTTPServer { request in
            .json(#"{"data":[{"type":"model","id":"m-\#(request.path.count)"}],"has_more":true,"last_id":"m"}"#)
        }
        defer { server.stop() }
        let lookup = try await Self.store(limits: CatalogueLimits(pages: 5)).catalogue(try Self.source(.anthropic, server))
        #expect(lookup.error?.code == .tooLarge && lookup.catalogue == nil)
        #expect(server.requests.count == 5)
    }

    @Test func httpErrorsAreOneScrubbedLine() async throws {
        let server = try ScriptedHTTPServer(responses: [
            .json(status: 401, #"{"error":{"message":"Incorrect API key provided: \#(Self.key)","type":"invalid_request_error"}}"#),
        ])
        defer { server.stop() }
        let lookup = try await Self.store().catalogue(try Self.source(.openai, server))
        let error = try #require(lookup.error)
        #expect(error.description.contains("HTTP 401") && !error.description.contains(Self.key), "\(error)")
    }
}

extension CatalogueModel {
    static func dayForTests(_ text: String) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = text.split(separator: "-").compactMap { Int($0) }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }
}
