import Audio
import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// The cloud STT adapters against loopback servers speaking each vendor's wire format.
@Suite("Cloud STT adapters", .timeLimit(.minutes(2)))
struct CloudSTTTests {
    static let key = "sk-proj-STTkey0123456789abcdef"
    /// 100 ms at 48 kHz stereo: the adapters must downmix and resample it to 16 kHz mono.
    static let utterance = AudioFrame(samples: (0..<9600).map { Int16(($0 / 2) % 300) }, sampleRate: 48_000, channels: 2)

    static func url(_ server: ScriptedHTTPServer, _ path: String) -> URL {
        URL(string: server.baseURL.absoluteString + path) ?? server.baseURL
    }

    @Test(arguments: [OpenAICompatibleSTT.Preset.openAI, .groq])
    func openAIStyleRequestShapeAndAnswer(preset: OpenAICompatibleSTT.Preset) async throws {
        let server = try ScriptedHTTPServer(responses: [preset == .groq ? SpeechWire.groqTranscript(" Book a table. ")
                                                            : SpeechWire.openAITranscript(" Book a table. ")])
        defer { server.stop() }
        let stt = OpenAICompatibleSTT(preset: preset, apiKey: Secret(Self.key), baseURL: Self.url(server, "/v9"),
                                      transport: try CurlHTTPClient())
        let transcript = try await stt.transcribe(Self.utterance, language: "en-US")
        #expect(transcript == Transcript(text: "Book a table.", confidence: nil, language: "en-US", isFinal: true))

        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/v9/audio/transcriptions")
        #expect(request.header("Authorization") == "Bearer \(Self.key)")
        let parts = try #require(SpeechWire.multipartParts(request.body, contentType: request.header("Content-Type")))
        #expect(request.header("Content-Type")?.hasPrefix("multipart/form-data; boundary=") == true)
        #expect(parts.map(\.name).sorted() == ["file", "language", "model", "response_format"])
        #expect(parts.first { $0.name == "model" }?.text == preset.defaultModel)
        #expect(parts.first { $0.name == "response_format" }?.text == "json")
        #expect(parts.first { $0.name == "language" }?.text == "en", "ISO-639-1, not the BCP-47 tag")
        let file = try #require(parts.first { $0.name == "file" })
        #expect(file.filename?.hasSuffix(".wav") == true)
        #expect(file.contentType == "audio/wav")
        let wav = try WAVFile.decode(file.data)
        #expect(wav.sampleRate == 16_000)
        #expect(wav.channels == 1)
        #expect(abs(wav.samples.count - 1600) <= 64, "100 ms at 16 kHz, less the resampler's filter delay")
    }

    @Test func noLanguageFieldWithoutAHint() async throws {
        let transport = ReplayTransport([.json(200, #"{"text":"hi"}"#)])
        let stt = OpenAICompatibleSTT(preset: .openAI, apiKey: Secret(Self.key), model: "whisper-1", transport: transport)
        _ = try await stt.transcribe(Self.utterance, language: nil)
        let request = try #require(transport.requests.first)
        let parts = try #require(SpeechWire.multipartParts(request.body, contentType: request.headers["Content-Type"]))
        #expect(parts.map(\.name).sorted() == ["file", "model", "response_format"])
        #expect(parts.first { $0.name == "model" }?.text == "whisper-1")
    }

    @Test(arguments: [
        (OpenAICompatibleSTT.Preset.openAI, "https://api.openai.com/v1/audio/transcriptions"),
        (.groq, "https://api.groq.com/openai/v1/audio/transcriptions"),
    ])
    func defaultEndpoints(preset: OpenAICompatibleSTT.Preset, url: String) async throws {
        let transport = ReplayTransport([.json(200, #"{"text":"x"}"#)])
        _ = try await OpenAICompatibleSTT(preset: preset, apiKey: Secret(Self.key), transport: transport)
            .transcribe(Self.utterance, language: nil)
        #expect(transport.requests.first?.url.absoluteString == url)
        let deepgram = ReplayTransport([.json(200, #"{"results":{"channels":[]}}"#)])
        _ = try await DeepgramSTT(apiKey: Secret(Self.key), transport: deepgram).transcribe(Self.utterance, language: nil)
        #expect(deepgram.requests.first?.url.absoluteString == "https://api.deepgram.com/v1/listen?model=nova-3&smart_format=true")
    }

    @Test func deepgramRequestShapeAndAnswer() async throws {
        let server = try ScriptedHTTPServer(responses: [SpeechWire.deepgramTranscript("Book a table for two.", confidence: 0.9871)])
        defer { server.stop() }
        let stt = DeepgramSTT(apiKey: Secret(Self.key), baseURL: server.baseURL, transport: try CurlHTTPClient())
        let transcript = try await stt.transcribe(Self.utterance, language: "en-US")
        #expect(transcript == Transcript(text: "Book a table for two.", confidence: 0.9871, language: "en-US"))

        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/listen?model=nova-3&smart_format=true&language=en-US")
        #expect(request.header("Authorization") == "Token \(Self.key)")
        #expect(request.header("Content-Type") == "audio/wav")
        let wav = try WAVFile.decode(request.body)
        #expect(wav.sampleRate == 16_000 && wav.channels == 1)
        #expect(abs(wav.samples.count - 1600) <= 64)
    }

    @Test func deepgramSilenceIsAnEmptyTranscript() async throws {
        let transport = ReplayTransport([.json(200, #"{"metadata":{},"results":{"channels":[{"alternatives":[{"transcript":"","confidence":0,"words":[]}]}]}}"#)])
        let transcript = try await DeepgramSTT(apiKey: Secret(Self.key), transport: transport)
            .transcribe(Self.utterance, language: nil)
        #expect(transcript.isEmpty && transcript.isFinal)
    }

    @Test func emptyAudioMakesNoRequest() async throws {
        let transport = ReplayTransport([])
        let stt = DeepgramSTT(apiKey: Secret(Self.key), transport: transport)
        #expect(try await stt.transcribe(AudioFrame(samples: [], sampleRate: 16_000), language: "en") == .empty(language: "en"))
        #expect(transport.requests.isEmpty)
    }

    enum Adapter: String, CaseIterable, Sendable { case openAI, groq, deepgram }

    static func make(_ adapter: Adapter, _ server: ScriptedHTTPServer, key: String = CloudSTTTests.key) throws -> any STT {
        let transport = try CurlHTTPClient()
        switch adapter {
        case .openAI: return OpenAICompatibleSTT(preset: .openAI, apiKey: Secret(key), baseURL: server.baseURL, transport: transport)
        case .groq: return OpenAICompatibleSTT(preset: .groq, apiKey: Secret(key), baseURL: server.baseURL, transport: transport)
        case .deepgram: return DeepgramSTT(apiKey: Secret(key), baseURL: server.baseURL, transport: transport)
        }
    }

    static let failures: [(response: ScriptedResponse, expected: ErrorClass, status: Int?)] = [
        (.json(status: 429, #"{"error":{"message":"Rate limit reached","type":"requests"}}"#, headers: [("Retry-After", "7")]),
         .rateLimited, 429),
        (.json(status: 401, #"{"err_code":"INVALID_AUTH","err_msg":"Invalid credentials \#(key)","request_id":"r1"}"#), .auth, 401),
        (.json(status: 402, #"{"err_code":"ASR_PAYMENT_REQUIRED","err_msg":"Project does not have enough credits"}"#),
         .quotaExhausted, 402),
        (.json(status: 429, #"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota"}}"#),
         .quotaExhausted, 429),
        (.json(status: 500, "upstream exploded"), .server, 500),
        (.json(status: 503, #"{"category":"SERVICE_UNAVAILABLE","message":"busy"}"#), .server, 503),
        (.json("this is not json"), .malformedResponse, nil),
        (.json(#"{"unexpected":true}"#), .malformedResponse, nil),
        (ScriptedResponse([.head(status: 200, headers: [("Content-Type", "application/json")]), .text(#"{"text":"#), .cut]),
         .network, nil),
    ]

    @Test(arguments: Adapter.allCases)
    func failuresAreClassifiedLikeLLMFailures(adapter: Adapter) async throws {
        for failure in Self.failures {
            let server = try ScriptedHTTPServer(responses: [failure.response])
            defer { server.stop() }
            do {
                _ = try await Self.make(adapter, server).transcribe(Self.utterance, language: "en")
                Issue.record("\(adapter) should fail for \(failure.expected)")
            } catch let error as ProviderError {
                #expect(error.kind == failure.expected, "\(adapter): \(error)")
                #expect(error.status == failure.status)
                #expect(!error.description.contains(Self.key) && !String(reflecting: error).contains(Self.key))
                if failure.status == 429, failure.expected == .rateLimited { #expect(error.retryAfter == .seconds(7)) }
            }
        }
    }

    @Test func stalledCallEndsWhenTheCallerCancels() async throws {
        // The adapter itself waits (the router owns deadlines); cancelling the caller ends it as `.cancelled`.
        let server = try ScriptedHTTPServer(responses: [ScriptedResponse([.stall])])
        defer { server.stop() }
        let stt = try Self.make(.deepgram, server)
        // Unstructured so the test can cancel it; awaited below.
        let task = Task { try await stt.transcribe(Self.utterance, language: nil) }
        // Cancel once the request is known to be at the server (in flight), not after a guessed sleep.
        #expect(await server.waitForRequests(), "the call never reached the server")
        task.cancel()
        await #expect(throws: ProviderError.self) { try await task.value }
        let error = await task.result.error as? ProviderError
        #expect(error?.kind == .cancelled)
        #expect(await server.waitForClientClose(), "the stalled connection was closed")
    }

    @Test func transportTimeoutIsATimeout() async throws {
        let transport = ReplayTransport([.fail(HTTPError(.timeout(.total), "timed out"))])
        await #expect { try await DeepgramSTT(apiKey: Secret(Self.key), transport: transport).transcribe(Self.utterance, language: nil) }
            throws: { ($0 as? ProviderError)?.kind == .timeout }
    }
}

extension Result {
    var error: Failure? { if case .failure(let error) = self { error } else { nil } }
}
