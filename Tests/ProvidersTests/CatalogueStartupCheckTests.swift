import Foundation
import Logging
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// The start-up check on real chains whose providers are local servers speaking each vendor's
/// list-models format (CatalogueFixtures): dead models cost one line and mark their member
/// unavailable (no turn goes there), a shutdown within 30 days is a warning, the shipped defaults
/// pass, and a catalogue that cannot be had leaves the chain as it was.
@Suite("Model start-up check", .timeLimit(.minutes(2)))
struct CatalogueStartupCheckTests {
    static let key = Secret("sk-startup-check-0123456789abcdef")

    struct Fixture {
        var servers: [ProviderID: ScriptedHTTPServer] = [:]
        var environment = TestEnvironment()
        var configuration: SteadfastConfiguration { get throws { try environment.load() } }
        func stop() { servers.values.forEach { $0.stop() } }
    }

    /// One server per provider: list-models pages on `…/models`, a chat answer ("ok") elsewhere.
    static func fixture(_ providers: [ProviderID]) throws -> Fixture {
        var fixture = Fixture()
        for provider in providers {
            let pages: [String] = switch provider {
            case .openai: [CatalogueFixtures.openAI]
            case .groq: [CatalogueFixtures.groq]
            case .anthropic: CatalogueFixtures.anthropicPages
            case .gemini: CatalogueFixtures.geminiPages
            default: CatalogueFixtures.openRouterPages
            }
            let list = CatalogueFixtures.listHandler(pages: pages)
            let server = try ScriptedHTTPServer { request in
                if request.method == "GET" { return list(request) }
                let answer = switch provider {
                case .anthropic: ProviderWireFixtures.anthropicText(["ok"])
                case .gemini: ProviderWireFixtures.geminiText(["ok"])
                default: ProviderWireFixtures.openAIText(["ok"])
                }
                return ScriptedResponse(ProviderWireFixtures.scripted(answer))
            }
            fixture.servers[provider] = server
            let path = [ProviderID.openai: "/v1", .openrouter: "/api/v1"][provider] ?? ""
            fixture.environment.set(provider, key: key.unredactedValue, baseURL: server.baseURL.absoluteString + path)
        }
        return fixture
    }

    static func check(_ configuration: SteadfastConfiguration, logs: CapturingLogHandler.Store,
                      directory: URL? = nil) throws -> ChainModelCheck {
        ChainModelCheck(configuration: configuration,
                        store: ModelCatalogueStore(transport: try CurlHTTPClient(), cacheDirectory: directory,
                                                   logger: CapturingLogHandler.logger(logs), wallClock: { CatalogueFixtures.now }),
                        logger: CapturingLogHandler.logger(logs), wallClock: { CatalogueFixtures.now })
    }

    /// `gpt-3.5-turbo` (shut down 2026-09-28) on OpenAI: one error line naming provider, model, why and
    /// current alternatives; OpenAI shows as unavailable and no turn is sent to it.
    @Test func aRetiredModelCostsOneLineAndNoTurns() async throws {
        var fixture = try Self.fixture([.openai, .anthropic])
        defer { fixture.stop() }
        fixture.environment.variables["LLM_PROVIDER"] = "openai"
        fixture.environment.variables["LLM_MODEL"] = "gpt-3.5-turbo"
        let logs = CapturingLogHandler.Store()
        let router = try LLMChainBuilder(configuration: fixture.configuration, transport: try CurlHTTPClient()).build(.standard)
        let checks = try await Self.check(fixture.configuration, logs: logs).run(router)

        let openai = try #require(checks.first { $0.provider == "openai" })
        #expect(openai.verdict == .dead("was shut down on 2026-09-28"))
        #expect(openai.line == "openai gpt-3.5-turbo (LLM) was shut down on 2026-09-28; try gpt-6-luna-mini, gpt-6-luna, gpt-transcribe",
                "\(openai.line ?? "")")
        #expect(checks.first { $0.provider == "anthropic" }?.verdict == .ok)
        let errors = logs.lines.filter { $0.hasPrefix("[error]") }
        #expect(errors.count == 1 && errors.first?.contains("gpt-3.5-turbo") == true, "\(logs.lines)")

        let status = await router.status()
        #expect(status.providers.map(\.state) == [.unavailable, .available, .available])
        #expect(status.providers.first?.lastError?.contains("was shut down on 2026-09-28") == true)

        var served: String?
        for try await event in router.stream(LLMRequest(messages: [.user("hi")])) {
            if case .served(let provider, _, _) = event { served = provider }
        }
        #expect(served == "anthropic")
        #expect(fixture.servers[.openai]?.requests.allSatisfy { $0.method == "GET" } == true, "no chat call went to OpenAI")
    }

    /// The shipped defaults are listed and active in catalogues of each provider's format; OpenAI's
    /// TTS default (shutdown 2027-01-06) is the one warning, as docs/models.md says.
    @Test func shippedDefaultsPass() async throws {
        let providers: [ProviderID] = [.openai, .openrouter, .gemini, .anthropic, .groq]
        let fixture = try Self.fixture(providers)
        defer { fixture.stop() }
        let logs = CapturingLogHandler.Store()
        let router = try LLMChainBuilder(configuration: fixture.configuration, transport: try CurlHTTPClient()).build(.standard)
        let checks = try await Self.check(fixture.configuration, logs: logs).run(router)
        #expect(Set(checks.map(\.provider)) == Set(providers.map(\.rawValue)))
        for check in checks {
            #expect(check.verdict == .ok && check.listed == true, "\(check.provider) \(check.model): \(check.verdict)")
            #expect(check.model == LLMProviderFactory.defaultModel(for: ProviderID(name: check.provider)!))
        }
        #expect(await router.status().providers.allSatisfy { $0.state == .available })

        let speech = ModelCheck.evaluate(provider: "openai", model: OpenAISpeechTTS.defaultModel, role: .tts,
                                         catalogue: ModelCatalogue(provider: "openai", fetchedAt: CatalogueFixtures.now,
                                                                   models: try await Self.openAIModels(fixture)),
                                         now: CatalogueFixtures.now)
        #expect(speech.verdict == .expiring(CatalogueModel.dayForTests("2027-01-06")!))
        #expect(speech.line?.hasPrefix("openai gpt-4o-mini-tts (TTS): shuts down on 2027-01-06, within 30 days") == true)
    }

    static func openAIModels(_ fixture: Fixture) async throws -> [CatalogueModel] {
        let source = try #require(CatalogueSource.forProvider(.openai, configuration: fixture.configuration))
        return try #require(await ModelCatalogueStore(transport: try CurlHTTPClient(), cacheDirectory: nil)
            .catalogue(source).catalogue?.models)
    }

    /// In the OpenRouter rotation a dead model leaves the rotation and the member stays available;
    /// a model without tool support is dead for the agent; only when every model is dead is the member unavailable.
    @Test func rotationDropsDeadModelsAndKeepsTheMember() async throws {
        var fixture = try Self.fixture([.openrouter])
        defer { fixture.stop() }
        fixture.environment.variables["OPENROUTER_DEFAULT_MODEL"] = "google/gemini-2.0-flash-exp:free"
        fixture.environment.variables["OPENROUTER_FALLBACK_MODELS"] = "mistralai/mistral-small-4:free, openai/gpt-6-luna"
        let logs = CapturingLogHandler.Store()
        let router = try LLMChainBuilder(configuration: fixture.configuration, transport: try CurlHTTPClient()).build(.openrouter)
        let checks = try await Self.check(fixture.configuration, logs: logs).run(router)
        #expect(checks.map(\.isDead) == [true, true, false])
        #expect(checks[1].line?.contains("does not support tool calling") == true)
        #expect(await router.status().providers.first?.state == .available)
        let rotation = try #require(await router.membersInOrder.first?.service.modelSwitching)
        #expect(await rotation.currentModel == "openai/gpt-6-luna")

        fixture.environment.variables["OPENROUTER_FALLBACK_MODELS"] = nil
        let single = try LLMChainBuilder(configuration: fixture.configuration, transport: try CurlHTTPClient()).build(.openrouter)
        try await Self.check(fixture.configuration, logs: logs).run(single)
        #expect(await single.status().providers.first?.state == .unavailable)
    }

    /// No catalogue (the endpoint answers garbage, and nothing is cached): one line, the models are
    /// "not checked", every member stays available, and the check returns.
    @Test func aBrokenCatalogueLeavesTheChainAlone() async throws {
        let server = try ScriptedHTTPServer { request in
            request.method == "GET" ? .json(String(repeating: "{", count: 10))
                : ScriptedResponse(ProviderWireFixtures.scripted(ProviderWireFixtures.openAIText(["ok"])))
        }
        defer { server.stop() }
        var environment = TestEnvironment()
        environment.set(.openai, key: Self.key.unredactedValue, baseURL: server.baseURL.absoluteString)
        let configuration = try environment.load()
        let logs = CapturingLogHandler.Store()
        let router = try LLMChainBuilder(configuration: configuration, transport: try CurlHTTPClient()).build(.standard)
        let checks = try await Self.check(configuration, logs: logs).run(router)
        #expect(checks.count == 1)
        guard case .unchecked(let why)? = checks.first?.verdict else {
            Issue.record("expected unchecked, got \(String(describing: checks.first?.verdict))")
            return
        }
        #expect(why.contains("not JSON"))
        #expect(logs.lines.filter { $0.contains("model catalogue") }.count == 1, "\(logs.lines)")
        #expect(await router.status().providers.allSatisfy { $0.state == .available })
    }
}
