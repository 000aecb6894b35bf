import Audio
import Foundation
import Logging
import SteadfastConfig
import Transport

/// Text to speech with Cartesia's bytes endpoint, as raw PCM.
///
/// Wire format: `POST {base}/tts/bytes` with `X-API-Key` and `Cartesia-Version` headers and JSON
/// `{"model_id", "transcript", "voice": {"mode": "id", "id"}, "output_format": {"container": "raw",
/// "encoding": "pcm_s16le", "sample_rate": 24000}}`; the body is raw 16-bit little-endian mono PCM,
/// streamed with chunked encoding as it is generated.
///
/// Verified with the search tool (docs corpus, docs.cartesia.ai): the path, the body fields and the
/// `output_format` values (`raw`, `pcm_s16le`, 24000 among the allowed rates), the `Cartesia-Version`
/// date header, `X-API-Key` authentication (documented for HTTP in the 2024-11-13 API conventions; the
/// current docs show `Authorization: Bearer` and state that both headers are accepted), the version
/// `2025-04-16` from the quickstart, model `sonic-3.5` (docs/models.md; `sonic-2` is partly sunset), the default voice id from the docs' examples,
/// and the error body `{"error_code","title","message"}` (plain text for older versions).
/// Not verified: the response `Content-Type` for raw output. Tested only against local wire-format servers.
public struct CartesiaTTS: TTS {
    public static let defaultBaseURL = URL.speechDefault("https://api.cartesia.ai")
    public static let defaultModel = "sonic-3.5"
    public static let defaultVoiceID = "694f9389-aac1-45b6-b726-9d9369183238"
    public static let apiVersion = "2025-04-16"

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
        let headers: HTTPHeaders = ["X-API-Key": apiKey.unredactedValue, "Cartesia-Version": Self.apiVersion,
                                    "Content-Type": "application/json"]
        return HTTPRequest(method: "POST", url: url, headers: headers, body: body.jsonBytes, timeouts: .forSpeech)
    }
}
