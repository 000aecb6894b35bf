import Foundation
import Logging
import SteadfastConfig
import Transport

/// What the STT and TTS chain builders share: cloud members in order, each behind one rate-limit
/// ledger fed from its responses' headers, then the local tail as the never-benched last resort.
enum SpeechChain {
    static func assemble<Capability: RoutedCapability>(
        name: String, providers: [ProviderID], policy: ProviderPolicy, transport: any HTTPTransport,
        localTail: Capability.Service, tailName: String, logger: Logger, wallClock: @escaping @Sendable () -> Date,
        make: (ProviderID, any HTTPTransport) throws(ProviderError) -> Capability.Service
    ) -> FallbackRouter<Capability> {
        let ledger = RateLimitLedger()
        var members: [ChainMember<Capability>] = []
        for (index, provider) in providers.enumerated() {
            let observed = RateLimitObservingTransport(transport, provider: provider.rawValue, ledger: ledger)
            // `providers` lists only providers with a key and an adapter, so this cannot fail; skip if it does.
            guard let service = try? make(provider, observed) else { continue }
            var memberPolicy = policy
            memberPolicy.priority = index
            members.append(ChainMember(name: provider.rawValue, service: service, policy: memberPolicy))
        }
        members.append(ChainMember(name: Self.tailName(tailName, members.map(\.name)), service: localTail,
                                   policy: .lastResort))
        return FallbackRouter(name: name, members: members, rateLimits: ledger, logger: logger, wallClock: wallClock)
    }

    /// The tail's own name, unless a cloud member already uses it.
    static func tailName(_ name: String, _ taken: [String]) -> String {
        taken.contains(name) ? name + "-local" : name
    }
}
