import Audio
import Foundation
import Logging
import SteadfastConfig
import Transport

/// Speech to text with Deepgram's pre-recorded endpoint (one utterance per request).
///
/// Wire format: `POST {base}/v1/listen?model=nova-3&smart_format=true[&language=..]` with
/// `Authorization: Token <key>`, `Content-Type: audio/wav` and the WAV bytes as the body; the transcript
/// is at `results.channels[0].alternatives[0].transcript` with `confidence` next to it.
///
/// Verified with the search tool (docs corpus, developers.deepgram.com "Getting Started" for
/// pre-recorded audio): the URL, query parameters `model` and `smart_format=true`, the `Token` auth
/// scheme, `Content-Type: audio/wav` with a binary body; the `results.channels[].alternatives[]`
/// shape with `transcript` and `confidence` (docs "Multichannel" and published sample responses); the
/// error bodies `{"err_code","err_msg","request_id"}` and `{"category","message"}` (docs "Errors").
/// Not verified: that `language` takes full BCP-47 tags for every model (it is passed as given) and
/// Deepgram's 402/429 bodies. Tested only against local wire-format servers.
public struct DeepgramSTT: STT {
    public static let defaultBaseURL = URL.speechDefault("https://api.deepgram.com")
    public static let defaultModel = "nova-3"

    public let providerName = "deepgram"
    public let baseURL: URL
    private let modelName: String
    private let apiKey: Secret
    private let driver: SpeechHTTPDriver

    public var model: String? { get async { modelName } }

    /// `baseURL` overrides the vendor default (`DEEPGRAM_BASE_URL`, test servers); `/v1/listen` is appended.
    public init(apiKey: Secret, model: String = DeepgramSTT.defaultModel, baseURL: URL? = nil,
                transport: any HTTPTransport, logger: Logger = Logger(label: "steadfast.providers.stt")) {
        self.baseURL = baseURL ?? Self.defaultBaseURL
        modelName = model
        self.apiKey = apiKey
        driver = SpeechHTTPDriver(
            transport: transport, classifier: ErrorClassifier(provider: "deepgram", secrets: [apiKey.unredactedValue]),
            logger: logger)
    }

    public func transcribe(_ audio: AudioFrame, language: String?) async throws -> Transcript {
        guard !audio.isEmpty else { return .empty(language: language) }
        let json = try await driver.json(try httpRequest(audio, language: language))
        guard let channels = json["results"]?["channels"]?.arrayValue else {
            throw driver.classifier.error(.malformedResponse, "answer has no results.channels")
        }
        let channel = channels.first
        let detected = channel?["detected_language"]?.stringValue
        // No channel or no alternative is how nothing-recognized can look: an empty answer, not a failure.
        guard let best = channel?["alternatives"]?.arrayValue?.first else { return .empty(language: detected ?? language) }
        guard let text = best["transcript"]?.stringValue else {
            throw driver.classifier.error(.malformedResponse, "alternative has no transcript")
        }
        let confidence = best["confidence"]?.numberValue.map { min(1, max(0, $0)) }
        return Transcript(text: text.trimmingWhitespace(), confidence: confidence, language: detected ?? language,
                          isFinal: true)
    }

    func httpRequest(_ audio: AudioFrame, language: String?) throws(ProviderError) -> HTTPRequest {
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "model", value: modelName),
                                 URLQueryItem(name: "smart_format", value: "true")]
        if let language, !language.isEmpty { components.queryItems?.append(URLQueryItem(name: "language", value: language)) }
        guard let query = components.percentEncodedQuery, let url = baseURL.appendingRawPath("/v1/listen?" + query) else {
            throw ProviderError(.badRequest, "invalid base URL", provider: providerName)
        }
        let headers: HTTPHeaders = ["Authorization": "Token \(apiKey.unredactedValue)", "Content-Type": "audio/wav",
                                    "Accept": "application/json"]
        return HTTPRequest(method: "POST", url: url, headers: headers,
                           body: try SpeechUpload.wav(audio, provider: providerName), timeouts: .forSpeech)
    }
}
