import Foundation
import Providers
import SteadfastConfig
import Testing
import Transport

@Suite("LLM chain construction")
struct LLMChainBuilderTests {
    struct NoNetwork: HTTPTransport {
        func send(_ request: HTTPRequest) async throws -> HTTPResponse { throw HTTPError(.connectFailed, "offline") }
    }

    static func builder(_ environment: [String: String], settings: String = "") throws -> LLMChainBuilder {
        let config = try ConfigurationLoader(environment: environment, envFile: nil).load()
        return LLMChainBuilder(configuration: config, settings: try RoutingSettings.parse(settings), transport: NoNetwork())
    }

    static let keys = ["OPENAI_API_KEY": "sk-a", "GROQ_API_KEY": "gsk-b", "ANTHROPIC_API_KEY": "sk-ant-c",
                       "OPENROUTER_API_KEY": "sk-or-d", "CLOUDFLARE_API_KEY": "cf"]

    @Test func defaultOrderFollowsTheSeedsAndSkipsUnconfiguredProviders() async throws {
        let builder = try Self.builder(Self.keys)
        #expect(try builder.providers(for: .standard) == [.openrouter, .openai, .groq, .anthropic],
                "cloudflare without an account id is left out")
        #expect(await (try builder.build(.standard)).order == ["openrouter", "openai", "groq", "anthropic", "local"])
    }

    @Test func llmProviderMovesToTheFront() throws {
        var environment = Self.keys
        environment["LLM_PROVIDER"] = "groq"
        #expect(try Self.builder(environment).providers(for: .standard).first == .groq)
    }

    @Test func settingsReplaceOrderAndDisableProviders() throws {
        let builder = try Self.builder(Self.keys, settings: """
            llm:
              order: [anthropic, openai, groq]
              providers:
                groq: { enabled: false }
            """)
        #expect(try builder.providers(for: .standard) == [.anthropic, .openai])
    }

    @Test func singleProviderAndLocalChains() async throws {
        let builder = try Self.builder(Self.keys)
        #expect(await (try builder.build(.single(.groq))).order == ["groq", "local"])
        #expect(await (try builder.build(.local)).order == ["local"])
        #expect(await (try builder.build(.openrouter)).order == ["openrouter", "local"])
        #expect(throws: ConfigError.self) { try Self.builder([:]).build(.openrouter) }
    }

    @Test func settingsShapePolicies() async throws {
        let builder = try Self.builder(Self.keys, settings: """
            llm:
              providers:
                openai:
                  priority: -1
                  first_token_deadline_ms: 900
                  limits: { rpm: 7, daily_budget_usd: 1.5 }
            """)
        let router = try builder.build(.standard)
        #expect(await router.order.first == "openai", "priority -1 runs first")
        let policy = try #require(await router.health("openai")?.policy)
        #expect(policy.firstTokenDeadline == .milliseconds(900))
        #expect(policy.limits.requestsPerMinute == 7 && policy.limits.dailyBudgetUSD == 1.5)
    }

    @Test func cannedReplyNamesTheProvidersThatAreDown() async throws {
        let builder = try Self.builder(["OPENAI_API_KEY": "sk-a"])
        let router = try builder.build(.standard)
        _ = try await RoutedAnswer.collect(router.stream(LLMRequest(messages: [.user("hi")])))
        let status = try await RoutedAnswer.collect(router.stream(LLMRequest(messages: [.user("what's wrong?")])))
        #expect(status.servedBy == "local")
        #expect(status.text.contains("openai"), "heard: \(status.text)")
    }

    @Test(arguments: ["default", "bulletproof", "openrouter", "local", "groq", "Google"])
    func chainNamesParse(name: String) {
        #expect(LLMChainKind(name: name) != nil)
    }
}

@Suite("Routing rules for request faults")
struct RequestFaultRoutingTests {
    @Test func badRequestGoesStraightToTheLastResort() async throws {
        let a = ScriptedLLM("a") { _, _ in [.fail(.badRequest)] }
        let b = ScriptedLLM.answering("b", "never asked")
        let router = FallbackRouterTests.router([(a, FallbackRouterTests.fast()), (b, FallbackRouterTests.fast(1))])
        let answer = try await RoutedAnswer.collect(router.stream(FallbackRouterTests.question))
        #expect(answer.servedBy == "local")
        #expect(b.calls == 0, "another remote provider would refuse the same bad request")
    }

    @Test func contextLengthGoesToAProviderWithALargerContext() async throws {
        var small = FallbackRouterTests.fast()
        small.contextTokens = 8_000
        var alsoSmall = FallbackRouterTests.fast(1)
        alsoSmall.contextTokens = 8_000
        var large = FallbackRouterTests.fast(2)
        large.contextTokens = 128_000
        let a = ScriptedLLM("a") { _, _ in [.fail(.contextLength)] }
        let b = ScriptedLLM.answering("b", "never asked")
        let c = ScriptedLLM.answering("c", "Long answer.")
        let router = FallbackRouterTests.router([(a, small), (b, alsoSmall), (c, large)])
        let answer = try await RoutedAnswer.collect(router.stream(FallbackRouterTests.question))
        #expect(answer.servedBy == "c")
        #expect(b.calls == 0)
    }
}
