import Audio
import Foundation
import Logging
import SteadfastConfig
import Transport

/// Text to speech with ElevenLabs' streaming endpoint, as raw PCM.
///
/// Wire format: `POST {base}/v1/text-to-speech/{voice_id}/stream?output_format=pcm_24000` with the
/// `xi-api-key` header and JSON `{"text", "model_id"}`; the body is raw 16-bit little-endian mono PCM
/// at 24 kHz, streamed as it is generated.
///
/// Verified with the search tool (docs and pages corpora): the path, `output_format` as a query
/// parameter, the `xi-api-key` header and the `text`/`model_id` body (elevenlabs.io API reference
/// "Stream speech"); `pcm_24000` as 16-bit PCM at 24 kHz (SDK type docs); the error body
/// `{"detail":{"status","message"}}`, with `quota_exceeded` arriving as a 401 and
/// `too_many_concurrent_requests`/`system_busy` as 429s (help.elevenlabs.io and vendor-pack docs), which
/// `ErrorClassifier` maps to quota exhausted and rate limited. The default voice id is the one in the API
/// reference example. Not verified: the model id `eleven_flash_v2_5` (found only in third-party code,
/// not in vendor docs) and the response `Content-Type` for PCM. Tested only against local wire-format servers.
public struct ElevenLabsTTS: TTS {
    public static let defaultBaseURL = URL.speechDefault("https://api.elevenlabs.io")
    public static let defaultModel = "eleven_flash_v2_5"
    public static let defaultVoiceID = "JBFqnCBsd6RMkjVDRZzb"

    public let providerName = "elevenlabs"
    public let sampleRate = 24_000
    public let baseURL: URL
    private let modelName: String
    private let defaultVoice: String
    private let apiKey: Secret
    private let driver: SpeechHTTPDriver

    public var model: String? { get async { modelName } }

    public init(apiKey: Secret, model: String = ElevenLabsTTS.defaultModel, voiceID: String = ElevenLabsTTS.defaultVoiceID,
                baseURL: URL? = nil, transport: any HTTPTransport,
                logger: Logger = Logger(label: "steadfast.providers.tts")) {
        self.baseURL = baseURL ?? Self.defaultBaseURL
        modelName = model
        defaultVoice = voiceID
        self.apiKey = apiKey
        driver = SpeechHTTPDriver(
            transport: transport, classifier: ErrorClassifier(provider: "elevenlabs", secrets: [apiKey.unredactedValue]),
            logger: logger)
    }

    public func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
        guard !text.isEmpty else { return AsyncThrowingStream { $0.finish() } }
        return driver.pcmStream(sampleRate: sampleRate) { [self] () throws(ProviderError) in
            try httpRequest(text, voice: voice)
        }
    }

    /// ElevenLabs voice ids are 20 letters and digits; a name of another vendor's voice gets the default.
    func resolvedVoice(_ voice: String?) -> String {
        guard let voice, voice.count == 20, voice.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return defaultVoice
        }
        return voice
    }

    func httpRequest(_ text: String, voice: String?) throws(ProviderError) -> HTTPRequest {
        let path = "/v1/text-to-speech/\(resolvedVoice(voice))/stream?output_format=pcm_\(sampleRate)"
        guard let url = baseURL.appendingRawPath(path) else {
            throw ProviderError(.badRequest, "invalid base URL", provider: providerName)
        }
        let body: JSONValue = .object(["text": .string(text), "model_id": .string(modelName)])
        let headers: HTTPHeaders = ["xi-api-key": apiKey.unredactedValue, "Content-Type": "application/json"]
        return HTTPRequest(method: "POST", url: url, headers: headers, body: body.jsonBytes, timeouts: .forSpeech)
    }
}
