import Audio
import Foundation
import Logging
import SteadfastConfig
import Transport

/// Text to speech with OpenAI's speech endpoint, streamed as raw PCM.
///
/// Wire format: `POST {base}/audio/speech`, `Authorization: Bearer <key>`, JSON
/// `{"model", "input", "voice", "response_format": "pcm"}`; the body is raw 24 kHz 16-bit
/// little-endian mono samples without a header, sent chunked as they are generated.
///
/// Verified with the search tool (docs and pages corpora): the path, the body fields and
/// `response_format` values including `pcm` (OpenAI API reference mirrors, generated SDK types), the
/// models `gpt-4o-mini-tts` and `tts-1`, the built-in voice names, and `pcm` being "raw 24 kHz 16-bit
/// little-endian samples (no header)" (third-party quick references and client examples that play it as
/// Int16 at 24 kHz; the official guide page itself was not in the corpus). Not verified: the
/// `Content-Type` OpenAI sends with `pcm` (any `audio/*` or `application/octet-stream` is accepted).
/// Tested only against local wire-format servers.
public struct OpenAISpeechTTS: TTS {
    public static let defaultBaseURL = URL.speechDefault("https://api.openai.com/v1")
    public static let defaultModel = "gpt-4o-mini-tts"
    public static let defaultVoice = "alloy"
    /// Built-in voices; any other requested name falls back to `voice` (the `TTS` contract).
    public static let voices: Set<String> = ["alloy", "ash", "ballad", "cedar", "coral", "echo", "fable", "marin",
                                             "nova", "onyx", "sage", "shimmer", "verse"]

    public let providerName = "openai"
    /// `pcm` is always 24 kHz.
    public let sampleRate = 24_000
    public let baseURL: URL
    private let modelName: String
    private let defaultVoice: String
    private let apiKey: Secret
    private let driver: SpeechHTTPDriver

    public var model: String? { get async { modelName } }

    public init(apiKey: Secret, model: String = OpenAISpeechTTS.defaultModel, voice: String = OpenAISpeechTTS.defaultVoice,
                baseURL: URL? = nil, transport: any HTTPTransport,
                logger: Logger = Logger(label: "steadfast.providers.tts")) {
        self.baseURL = baseURL ?? Self.defaultBaseURL
        modelName = model
        defaultVoice = voice
        self.apiKey = apiKey
        driver = SpeechHTTPDriver(
            transport: transport, classifier: ErrorClassifier(provider: "openai", secrets: [apiKey.unredactedValue]),
            logger: logger)
    }

    public func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
        guard !text.isEmpty else { return AsyncThrowingStream { $0.finish() } }
        return driver.pcmStream(sampleRate: sampleRate) { [self] () throws(ProviderError) in
            try httpRequest(text, voice: voice)
        }
    }

    /// The requested voice when it is a built-in one, else the configured default.
    func resolvedVoice(_ voice: String?) -> String {
        guard let voice = voice?.lowercased(), Self.voices.contains(voice) else { return defaultVoice }
        return voice
    }

    func httpRequest(_ text: String, voice: String?) throws(ProviderError) -> HTTPRequest {
        guard let url = baseURL.appendingRawPath("/audio/speech") else {
            throw ProviderError(.badRequest, "invalid base URL", provider: providerName)
        }
        let body: JSONValue = .object(["model": .string(modelName), "input": .string(text),
                                       "voice": .string(resolvedVoice(voice)), "response_format": .string("pcm")])
        let headers: HTTPHeaders = ["Authorization": "Bearer \(apiKey.unredactedValue)",
                                    "Content-Type": "application/json"]
        return HTTPRequest(method: "POST", url: url, headers: headers, body: body.jsonBytes, timeouts: .forSpeech)
    }
}
