import ArgumentParser
import Foundation
import Logging
import Providers
import SteadfastConfig
import Transport

/// Options for commands that build provider chains.
struct RoutingOptions: ParsableArguments {
    @Option(help: "Routing settings file (order, limits, models, budgets, cooldowns, hedging; default: ./steadfast.yaml if present).")
    var config: String?

    /// Loads `steadfast.yaml` (absent is fine unless named with --config) and builds a chain builder
    /// over the real HTTP client.
    func chainBuilder(_ configuration: SteadfastConfiguration) throws -> LLMChainBuilder {
        let settings: RoutingSettings
        do { settings = try RoutingSettings.load(path: config ?? "steadfast.yaml", required: config != nil) } catch {
            throw CommandFailure(error.message)
        }
        let transport: CurlHTTPClient
        do { transport = try CurlHTTPClient() } catch { throw CommandFailure("cannot start the HTTP client: \(error)") }
        return LLMChainBuilder(configuration: configuration, settings: settings, transport: transport,
                               logger: Logger(label: "steadfast.router"))
    }
}

extension LLMChainKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] {
        ["default", "bulletproof", "openrouter", "local"] + ProviderID.llmProviders.map(\.rawValue)
    }
}

