import Audio
import Foundation
import Logging
import SteadfastConfig
import Transport

/// Text to speech with Cartesia's bytes endpoint, as raw PCM.
///
/// Wire format: `POST {base}/tts/bytes` with `Authorization: Bearer <key>` and `Cartesia-Version`
/// headers and JSON `{"model_id", "transcript", "voice": {"mode": "id", "id"}, "output_format":
/// {"container": "raw", "encoding": "pcm_s16le", "sample_rate": 24000}}`; the body is raw 16-bit
/// little-endian mono PCM, streamed with chunked encoding as it is generated.
///
/// Verified with the search tool on 2026-12-07 (docs.cartesia.ai "API conventions" and the API
/// reference; docs/providers.md): `Authorization: Bearer <api_key>` for server-side requests, the
/// `Cartesia-Version` date header with `2026-03-01` the newest listed version (the one the June 2026
/// sunset asks for), the path, the body fields and the `output_format` values; model `sonic-3.5`
/// (the "API changes" page: `sonic-2` stopped or lost languages on 2026-06-01); the error body
/// `{"error_code","title","message"}`. The official `cartesia` Python SDK sends the same headers
/// (Tests/ProvidersTests/ConformanceTests.swift compares them).
public struct CartesiaTTS: TTS {
    public static let defaultBaseURL = URL.speechDefault("https://api.cartesia.ai")
    public static let defaultModel = "sonic-3.5"
    public static let defaultVoiceID = "694f9389-aac1-45b6-b726-9d9369183238"
    public static let apiVersion = "2026-03-01"

    public let providerName = "cartesia"
    public let sampleRate = 24_000
    public let baseURL: URL
    private let modelName: String
    private let defaultVoice: String
    private let apiKey: Secret
    private let driver: SpeechHTTPDriver

    public var model: String? { get async { modelName } }

    public init(apiKey: Secret, model: String = CartesiaTTS.defaultModel, voiceID: String = CartesiaTTS.defaultVoiceID,
                baseURL: URL? = nil, transport: any HTTPTransport,
                logger: Logger = Logger(label: "steadfast.providers.tts")) {
        self.baseURL = baseURL ?? Self.defaultBaseURL
        modelName = model
        defaultVoice = voiceID
        self.apiKey = apiKey
        driver = SpeechHTTPDriver(
            transport: transport, classifier: ErrorClassifier(provider: "cartesia", secrets: [apiKey.unredactedValue]),
            logger: logger)
    }

    public func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
        guard !text.isEmpty else { return AsyncThrowingStream { $0.finish() } }
        return driver.pcmStream(sampleRate: sampleRate) { [self] () throws(ProviderError) in
            try httpRequest(text, voice: voice)
        }
    }

    /// Cartesia voice ids are UUIDs; a name of another vendor's voice gets the default.
    func resolvedVoice(_ voice: String?) -> String {
        guard let voice, UUID(uuidString: voice) != nil else { return defaultVoice }
        return voice.lowercased()
    }

    func httpRequest(_ text: String, voice: String?) throws(ProviderError) -> HTTPRequest {
        guard let url = baseURL.appendingRawPath("/tts/bytes") else {
            throw ProviderError(.badRequest, "invalid base URL", provider: providerName)
        }
        let body: JSONValue = .object([
            "model_id": .string(modelName),
            "transcript": .string(text),
            "voice": .object(["mode": .string("id"), "id": .string(resolvedVoice(voice))]),
            "output_format": .object(["container": .string("raw"), "encoding": .string("pcm_s16le"),
                                      "sample_rate": .number(Double(sampleRate))]),
        ])
        let headers: HTTPHeaders = ["Authorization": "Bearer \(apiKey.unredactedValue)",
                                    "Cartesia-Version": Self.apiVersion, "Content-Type": "application/json"]
        return HTTPRequest(method: "POST", url: url, headers: headers, body: body.jsonBytes, timeouts: .forSpeech)
    }
}
