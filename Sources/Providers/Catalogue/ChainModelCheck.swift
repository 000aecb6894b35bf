import Foundation
import Logging
import SteadfastConfig

/// The start-up check: every configured model of a chain looked up in its provider's catalogue.
/// A dead model costs one clear line and its member is marked unavailable (or, in the OpenRouter
/// rotation, the model leaves the rotation), instead of failing every turn; a shutdown within 30
/// days is a warning. Catalogues come from the store (a day's cache), so this never waits longer
/// than one fetch timeout, and a catalogue that cannot be had leaves the member as it was.
public struct ChainModelCheck: Sendable {
    public let configuration: SteadfastConfiguration
    public let store: ModelCatalogueStore
    private let logger: Logger
    private let wallClock: @Sendable () -> Date

    public init(configuration: SteadfastConfiguration, store: ModelCatalogueStore,
                logger: Logger = Logger(label: "steadfast.catalogue"), wallClock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.wallClock = wallClock
    }

    /// One configured model of one member.
    struct Target: Sendable {
        var member: String
        var provider: ProviderID
        var model: String
        var rotation: (any ModelSwitching)?
    }

    /// Checks an LLM chain (each member's model; every model of an OpenRouter rotation) and acts on it.
    @discardableResult
    public func run(_ router: FallbackRouter<LLMCapability>) async -> [ModelCheck] {
        var targets: [Target] = []
        let models = Dictionary(await router.status().providers.map { ($0.name, $0.currentModel) }, uniquingKeysWith: { a, _ in a })
        for (name, service) in await router.membersInOrder {
            guard let provider = ProviderID(name: name) else { continue }
            if let rotation = service.modelSwitching {
                for model in await rotation.availableModels {
                    targets.append(Target(member: name, provider: provider, model: model, rotation: rotation))
                }
            } else if let model = models[name] ?? nil {
                targets.append(Target(member: name, provider: provider, model: model))
            }
        }
        return await check(targets, role: .llm, router: router)
    }

    /// Checks a speech chain's members (`role` .stt or .tts) and acts on it.
    @discardableResult
    public func run<Capability: RoutedCapability>(_ router: FallbackRouter<Capability>, role: ModelRole) async -> [ModelCheck] {
        let targets = await router.status().providers.compactMap { provider -> Target? in
            guard !provider.isLastResort, let id = ProviderID(name: provider.name), let model = provider.currentModel else { return nil }
            return Target(member: provider.name, provider: id, model: model)
        }
        return await check(targets, role: role, router: router)
    }

    private func check<Capability: RoutedCapability>(_ targets: [Target], role: ModelRole,
                                                     router: FallbackRouter<Capability>) async -> [ModelCheck] {
        // One lookup per provider, all at once: the slowest fetch bounds the whole check.
        let providers = Array(Set(targets.map(\.provider)))
        let lookups = await withTaskGroup(of: (ProviderID, ModelCatalogueStore.Lookup?).self) { group in
            for provider in providers {
                group.addTask {
                    guard let source = CatalogueSource.forProvider(provider, configuration: configuration) else {
                        return (provider, nil)
                    }
                    return (provider, await store.catalogue(source))
                }
            }
            var lookups: [ProviderID: ModelCatalogueStore.Lookup?] = [:]
            for await (provider, lookup) in group { lookups[provider] = lookup }
            return lookups
        }
        let now = wallClock()
        var checks: [ModelCheck] = []
        var deadByMember: [String: [ModelCheck]] = [:]
        for target in targets {
            let lookup = lookups[target.provider] ?? nil
            let check = ModelCheck.evaluate(provider: target.provider.rawValue, model: target.model, role: role,
                                            catalogue: lookup?.catalogue, unavailableBecause: lookup?.error, now: now)
            checks.append(check)
            let metadata: Logger.Metadata = ["provider.name": "\(target.provider.rawValue)", "llm.model": "\(target.model)"]
            switch check.verdict {
            case .dead(let reason):
                logger.error("\(check.line ?? reason)", metadata: metadata)
                deadByMember[target.member, default: []].append(check)
                await target.rotation?.retireModel(target.model, reason: reason)
            case .expiring:
                logger.warning("\(check.line ?? "")", metadata: metadata)
            case .unchecked, .ok:
                break
            }
        }
        // A member is unavailable when every model it would use is dead.
        for (member, dead) in deadByMember {
            let all = targets.filter { $0.member == member }.count
            guard dead.count == all else { continue }
            await router.markUnavailable(member, reason: dead.compactMap(\.line).joined(separator: "; "))
        }
        return checks
    }
}
