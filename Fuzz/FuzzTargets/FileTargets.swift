import Agents
import Audio
import Foundation
import Logging
import Providers
import SteadfastConfig
import Transport

/// Files a user (or a download) hands the process: audio, `.env`, agent YAML, `steadfast.yaml`.
enum FileTargets {
    static func wav(_ bytes: [UInt8]) {
        guard let frame = try? WAVFile.decode(bytes) else { return }
        _ = try? WAVFile.decode(WAVFile.encode(frame))
    }

    static func dotEnv(_ bytes: [UInt8]) {
        _ = try? DotEnvParser.parse(String(decoding: bytes, as: UTF8.self))
    }

    private static let agentLoader = AgentFileLoader(
        directory: URL(fileURLWithPath: "/nonexistent"),
        environment: ["LEAD_WEBHOOK_URL": "https://example.invalid/lead", "CRM_API_KEY": "fuzz-key"])

    static func agentYAML(_ bytes: [UInt8]) {
        _ = try? agentLoader.parse(String(decoding: bytes, as: UTF8.self), file: "agents/fuzz.yaml")
    }

    /// Every provider has a key, so every `llm.providers.*` section is built into a chain member.
    private static let configuration: SteadfastConfiguration? = {
        var environment = ["CLOUDFLARE_ACCOUNT_ID": "fuzz"]
        for id in ProviderID.allCases {
            for variable in id.apiKeyVariables { environment[variable] = "fuzz-key-\(id.rawValue)-0000000000" }
        }
        return try? ConfigurationLoader(environment: environment, envFile: nil).load()
    }()

    private static let logger = Logger(label: "steadfast.fuzz") { _ in SwiftLogNoOpLogHandler() }

    static func steadfastYAML(_ bytes: [UInt8]) {
        guard let settings = try? RoutingSettings.parse(String(decoding: bytes, as: UTF8.self)),
              let configuration else { return }
        let builder = LLMChainBuilder(configuration: configuration, settings: settings,
                                      transport: BodyTransport(status: 401, headers: [:], body: [], chunkSize: 1),
                                      logger: logger, wallClock: { Date(timeIntervalSince1970: 1_735_689_600) })
        _ = try? builder.build(.bulletproof)
        guard let router = try? builder.build(.standard) else { return }
        // One request through the chain: limits, budgets and reset hours are used, not only stored.
        // Every remote provider refuses the key (401: no retry, no backoff sleep), so the local last resort ends it.
        let llm = FallbackLLM(router: router)
        AsyncRunner.run {
            do {
                for try await event in llm.stream(ProviderTargets.fullRequest) { _ = event }
            } catch {}
            await router.tick()
        }
    }
}
