import Audio
import Foundation
import Logging
import SteadfastConfig
import Transport

/// Speech to text through an OpenAI-style transcription endpoint: OpenAI and Groq.
///
/// Wire format: `POST {base}/audio/transcriptions`, `Authorization: Bearer <key>`, a
/// `multipart/form-data` body with `file` (the utterance as 16 kHz mono WAV), `model`,
/// `response_format=json` and, when a language is given, `language` (ISO-639-1); the answer is
/// `{"text": "..."}` (Groq adds an `x_groq` object, which is ignored).
///
/// Verified with the search tool (docs corpus): the endpoint path, multipart fields `file`, `model`,
/// `language` (ISO-639-1), `response_format` with `json` as `{text}` (OpenAI API reference mirrors and
/// generated SDK types); the model ids `gpt-transcribe` (OpenAI; see docs/models.md) and
/// `whisper-large-v3-turbo` with base `https://api.groq.com/openai/v1` (console.groq.com speech-to-text).
/// Not verified: whether either vendor reports a confidence (`json` has none, so it is left nil) and
/// Groq's exact rate-limit headers on this endpoint. Tested only against local wire-format servers.
public struct OpenAICompatibleSTT: STT {
    /// The two vendors that speak this format, with their defaults.
    public enum Preset: Sendable, Equatable {
        case openAI, groq

        public var providerName: String { self == .openAI ? "openai" : "groq" }
        public var defaultModel: String { self == .openAI ? "gpt-transcribe" : "whisper-large-v3-turbo" }
        public var defaultBaseURL: URL {
            switch self {
            case .openAI: .speechDefault("https://api.openai.com/v1")
            case .groq: .speechDefault("https://api.groq.com/openai/v1")
            }
        }
    }

    public let providerName: String
    public let baseURL: URL
    private let modelName: String
    private let apiKey: Secret
    private let driver: SpeechHTTPDriver

    public var model: String? { get async { modelName } }

    /// `baseURL` overrides the vendor default (`OPENAI_BASE_URL`, `GROQ_BASE_URL`, test servers).
    public init(preset: Preset, apiKey: Secret, model: String? = nil, baseURL: URL? = nil,
                transport: any HTTPTransport, logger: Logger = Logger(label: "steadfast.providers.stt")) {
        providerName = preset.providerName
        self.baseURL = baseURL ?? preset.defaultBaseURL
        modelName = model ?? preset.defaultModel
        self.apiKey = apiKey
        driver = SpeechHTTPDriver(
            transport: transport,
            classifier: ErrorClassifier(provider: preset.providerName, secrets: [apiKey.unredactedValue]), logger: logger)
    }

    public func transcribe(_ audio: AudioFrame, language: String?) async throws -> Transcript {
        guard !audio.isEmpty else { return .empty(language: language) }
        let json = try await driver.json(try httpRequest(audio, language: language))
        guard let text = json["text"]?.stringValue else {
            throw driver.classifier.error(.malformedResponse, "transcription answer has no text field")
        }
        return Transcript(text: text.trimmingWhitespace(), confidence: nil, language: language, isFinal: true)
    }

    func httpRequest(_ audio: AudioFrame, language: String?) throws(ProviderError) -> HTTPRequest {
        guard let url = baseURL.appendingRawPath("/audio/transcriptions") else {
            throw ProviderError(.badRequest, "invalid base URL", provider: providerName)
        }
        var form = MultipartFormData()
        form.addFile("file", filename: "utterance.wav", contentType: "audio/wav",
                     data: try SpeechUpload.wav(audio, provider: providerName))
        form.addField("model", modelName)
        form.addField("response_format", "json")
        if let language, !language.isEmpty { form.addField("language", SpeechUpload.primaryLanguage(language)) }
        let headers: HTTPHeaders = ["Authorization": "Bearer \(apiKey.unredactedValue)", "Content-Type": form.contentType,
                                    "Accept": "application/json"]
        return HTTPRequest(method: "POST", url: url, headers: headers, body: form.finished(), timeouts: .forSpeech)
    }
}
