import Foundation
import Logging
import SteadfastConfig
import Transport

/// Builds the text-to-speech chain from configuration: every cloud TTS whose key is set, in
/// `defaultOrder`, then the local tail the caller passes in (Providers does not depend on
/// LocalSpeech, so the caller builds espeak-ng and hands it over).
///
/// Cartesia comes first (lowest time to first audio), then ElevenLabs, then OpenAI. All three are
/// asked for raw 24 kHz PCM; `TTSCapability` resamples each to the request's output rate (48 kHz by
/// default), so a switch does not change what the caller plays. Every base URL comes from
/// `<PROVIDER>_BASE_URL` when set. With no keys the chain is the local tail alone.
public struct TTSChainBuilder: Sendable {
    public static let defaultOrder: [ProviderID] = [.cartesia, .elevenlabs, .openai]

    /// Every cloud member's policy (its priority is set from its position): no retry on the same
    /// provider (the next one is faster than a backoff), 3 s to the first audio, 3 s longest gap.
    public static var defaultPolicy: ProviderPolicy {
        ProviderPolicy(maxRetries: 0, requestTimeout: .seconds(30), firstTokenDeadline: .seconds(3), idleTimeout: .seconds(3))
    }

    public let configuration: SteadfastConfiguration
    public let transport: any HTTPTransport
    public var policy: ProviderPolicy
    private let logger: Logger
    private let wallClock: @Sendable () -> Date

    public init(configuration: SteadfastConfiguration, transport: any HTTPTransport,
                policy: ProviderPolicy = TTSChainBuilder.defaultPolicy, logger: Logger = Logger(label: "steadfast.router"),
                wallClock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.transport = transport
        self.policy = policy
        self.logger = logger
        self.wallClock = wallClock
    }

    /// Cloud providers the chain will use, in order (without the local tail).
    public func providers() -> [ProviderID] {
        Self.defaultOrder.filter { configuration.provider($0).apiKey != nil }
    }

    /// The adapter for `provider`. Throws `.auth` when its key is missing and `.badRequest` for a
    /// provider that has no text-to-speech adapter.
    public func makeTTS(_ provider: ProviderID, transport: (any HTTPTransport)? = nil) throws(ProviderError) -> any TTS {
        let settings = configuration.provider(provider)
        guard let key = settings.apiKey else {
            throw ProviderError(.auth, "\(provider.apiKeyVariables.joined(separator: " or ")) is not set",
                                provider: provider.rawValue)
        }
        let transport = transport ?? self.transport
        switch provider {
        case .cartesia:
            return CartesiaTTS(apiKey: key, baseURL: settings.baseURL, transport: transport, logger: logger)
        case .elevenlabs:
            return ElevenLabsTTS(apiKey: key, baseURL: settings.baseURL, transport: transport, logger: logger)
        case .openai:
            return OpenAISpeechTTS(apiKey: key, baseURL: settings.baseURL, transport: transport, logger: logger)
        default:
            throw ProviderError(.badRequest, "\(provider.rawValue) has no text-to-speech adapter", provider: provider.rawValue)
        }
    }

    /// The chain: configured cloud providers, then `localTail` as the last resort (never benched).
    public func build(localTail: any TTS) -> FallbackRouter<TTSCapability> {
        SpeechChain.assemble(name: "tts", providers: providers(), policy: policy, transport: transport,
                             localTail: localTail, tailName: localTail.providerName, logger: logger,
                             wallClock: wallClock) { provider, transport throws(ProviderError) in
            try makeTTS(provider, transport: transport)
        }
    }
}
