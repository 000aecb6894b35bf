import Foundation
import Logging
import SteadfastConfig
import Transport

/// Builds the speech-to-text chain from configuration: every cloud STT whose key is set, in
/// `defaultOrder`, then the local tail the caller passes in (Providers does not depend on
/// LocalSpeech, so the caller builds PocketSphinx and hands it over).
///
/// Deepgram comes first (purpose-built STT, fastest on short utterances), then Groq's Whisper
/// (fast, cheap), then OpenAI. Every base URL comes from `<PROVIDER>_BASE_URL` when set. With no
/// keys the chain is the local tail alone, so a caller always gets a transcript.
public struct STTChainBuilder: Sendable {
    public static let defaultOrder: [ProviderID] = [.deepgram, .groq, .openai]

    /// Every cloud member's policy (its priority is set from its position): no retry on the same
    /// provider, because handing the segment to the next one is faster than waiting (LiveKit's
    /// FallbackAdapter does the same); 5 s for a whole segment's transcript.
    public static var defaultPolicy: ProviderPolicy {
        ProviderPolicy(maxRetries: 0, requestTimeout: .seconds(15), firstTokenDeadline: .seconds(5), idleTimeout: nil)
    }

    public let configuration: SteadfastConfiguration
    public let transport: any HTTPTransport
    public var policy: ProviderPolicy
    private let logger: Logger
    private let wallClock: @Sendable () -> Date

    public init(configuration: SteadfastConfiguration, transport: any HTTPTransport,
                policy: ProviderPolicy = STTChainBuilder.defaultPolicy, logger: Logger = Logger(label: "steadfast.router"),
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
    /// provider that has no speech-to-text adapter.
    public func makeSTT(_ provider: ProviderID, transport: (any HTTPTransport)? = nil) throws(ProviderError) -> any STT {
        let settings = configuration.provider(provider)
        guard let key = settings.apiKey else {
            throw ProviderError(.auth, "\(provider.apiKeyVariables.joined(separator: " or ")) is not set",
                                provider: provider.rawValue)
        }
        let transport = transport ?? self.transport
        switch provider {
        case .deepgram:
            return DeepgramSTT(apiKey: key, baseURL: settings.baseURL, transport: transport, logger: logger)
        case .groq:
            return OpenAICompatibleSTT(preset: .groq, apiKey: key, baseURL: settings.baseURL, transport: transport,
                                       logger: logger)
        case .openai:
            return OpenAICompatibleSTT(preset: .openAI, apiKey: key, baseURL: settings.baseURL, transport: transport,
                                       logger: logger)
        default:
            throw ProviderError(.badRequest, "\(provider.rawValue) has no speech-to-text adapter", provider: provider.rawValue)
        }
    }

    /// The chain: configured cloud providers, then `localTail` as the last resort (never benched).
    public func build(localTail: any STT) -> FallbackRouter<STTCapability> {
        SpeechChain.assemble(name: "stt", providers: providers(), policy: policy, transport: transport,
                             localTail: localTail, tailName: localTail.providerName, logger: logger,
                             wallClock: wallClock) { provider, transport throws(ProviderError) in
            try makeSTT(provider, transport: transport)
        }
    }
}
