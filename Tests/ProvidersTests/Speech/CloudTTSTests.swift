import Audio
import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// The cloud TTS adapters against loopback servers speaking each vendor's wire format.
@Suite("Cloud TTS adapters", .timeLimit(.minutes(2)))
struct CloudTTSTests {
    static let key = "sk-proj-TTSkey0123456789abcdef"

    enum Adapter: String, CaseIterable, Sendable { case openAI, elevenLabs, cartesia }

    static func make(_ adapter: Adapter, baseURL: URL?, transport: any HTTPTransport, key: String = CloudTTSTests.key) -> any TTS {
        switch adapter {
        case .openAI: OpenAISpeechTTS(apiKey: Secret(key), baseURL: baseURL, transport: transport)
        case .elevenLabs: ElevenLabsTTS(apiKey: Secret(key), baseURL: baseURL, transport: transport)
        case .cartesia: CartesiaTTS(apiKey: Secret(key), baseURL: baseURL, transport: transport)
        }
    }

    struct Heard {
        var frames: [AudioFrame] = []
        var error: (any Error)?
        var samples: [Int16] { frames.flatMap(\.samples) }
        var providerError: ProviderError? { error as? ProviderError }
    }

    static func collect(_ stream: AsyncThrowingStream<AudioFrame, any Error>) async -> Heard {
        var heard = Heard()
        do { for try await frame in stream { heard.frames.append(frame) } } catch { heard.error = error }
        return heard
    }

    static func body(_ request: RecordedRequest) -> JSONValue { JSONValue(parsing: request.bodyText) ?? .null }

    // MARK: Request shapes

    @Test func openAIRequestShapeAndOddChunkedPCM() async throws {
        let samples = SpeechWire.distinctiveSamples(2400)
        let server = try ScriptedHTTPServer(responses: [SpeechWire.pcm(SpeechWire.pcmBytes(samples),
                                                                       chunkSizes: [1, 3, 5, 2, 7, 999, 1, 1, 4097],
                                                                       contentType: "audio/pcm")])
        defer { server.stop() }
        let tts = OpenAISpeechTTS(apiKey: Secret(Self.key), baseURL: URL(string: server.baseURL.absoluteString + "/v1"),
                                  transport: try CurlHTTPClient())
        let heard = await Self.collect(tts.synthesize("Hello there.", voice: "Nova"))
        #expect(heard.error == nil)
        #expect(heard.samples == samples, "every sample intact across odd chunk boundaries")
        #expect(heard.frames.allSatisfy { $0.sampleRate == 24_000 && $0.channels == 1 })
        #expect(heard.frames.count > 1, "streamed as it arrived, not collected")

        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/audio/speech")
        #expect(request.header("Authorization") == "Bearer \(Self.key)")
        #expect(request.header("Content-Type") == "application/json")
        #expect(Self.body(request) == .object(["model": .string("gpt-4o-mini-tts"), "input": .string("Hello there."),
                                               "voice": .string("nova"), "response_format": .string("pcm")]))
    }

    @Test func elevenLabsRequestShape() async throws {
        let server = try ScriptedHTTPServer(responses: [SpeechWire.pcm(SpeechWire.pcmBytes([1, -2, 3]), chunkSizes: [3, 3],
                                                                       contentType: "audio/pcm")])
        defer { server.stop() }
        let tts = ElevenLabsTTS(apiKey: Secret(Self.key), baseURL: server.baseURL, transport: try CurlHTTPClient())
        let heard = await Self.collect(tts.synthesize("Hi.", voice: "21m00Tcm4TlvDq8ikWAM"))
        #expect(heard.samples == [1, -2, 3])
        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/stream?output_format=pcm_24000")
        #expect(request.header("xi-api-key") == Self.key)
        #expect(request.header("Authorization") == nil)
        #expect(Self.body(request) == .object(["text": .string("Hi."), "model_id": .string(ElevenLabsTTS.defaultModel)]))
    }

    @Test func cartesiaRequestShape() async throws {
        let server = try ScriptedHTTPServer(responses: [SpeechWire.pcm(SpeechWire.pcmBytes([7, 8]), chunkSizes: [1, 3])])
        defer { server.stop() }
        let tts = CartesiaTTS(apiKey: Secret(Self.key), baseURL: server.baseURL, transport: try CurlHTTPClient())
        let heard = await Self.collect(tts.synthesize("Hi.", voice: "alloy"))
        #expect(heard.samples == [7, 8])
        let request = try #require(server.requests.first)
        #expect(request.path == "/tts/bytes")
        #expect(request.header("Authorization") == "Bearer \(Self.key)")
        #expect(request.header("X-API-Key") == nil)
        #expect(request.header("Cartesia-Version") == "2026-03-01")
        #expect(Self.body(request) == .object([
            "model_id": .string("sonic-3.5"), "transcript": .string("Hi."),
            "voice": .object(["mode": .string("id"), "id": .string(CartesiaTTS.defaultVoiceID)]),
            "output_format": .object(["container": .string("raw"), "encoding": .string("pcm_s16le"),
                                      "sample_rate": .number(24_000)]),
        ]), "another vendor's voice name falls back to the default voice")
    }

    @Test(arguments: [
        (Adapter.openAI, "https://api.openai.com/v1/audio/speech"),
        (.elevenLabs, "https://api.elevenlabs.io/v1/text-to-speech/\(ElevenLabsTTS.defaultVoiceID)/stream?output_format=pcm_24000"),
        (.cartesia, "https://api.cartesia.ai/tts/bytes"),
    ])
    func defaultEndpoints(adapter: Adapter, url: String) async {
        let transport = ReplayTransport([.binary(status: 200, headers: [:], body: [0, 0])])
        _ = await Self.collect(Self.make(adapter, baseURL: nil, transport: transport).synthesize("x", voice: nil))
        #expect(transport.requests.first?.url.absoluteString == url)
    }

    // MARK: Body handling

    @Test(arguments: Adapter.allCases)
    func pcmSplitAnywhereDecodesExactly(adapter: Adapter) async {
        let samples = SpeechWire.distinctiveSamples(997)
        for seed in UInt64(1)...12 {
            let transport = ReplayTransport([.binary(status: 200, headers: ["Content-Type": "application/octet-stream"],
                                                     body: SpeechWire.pcmBytes(samples))], seed: seed)
            let heard = await Self.collect(Self.make(adapter, baseURL: nil, transport: transport).synthesize("x", voice: nil))
            #expect(heard.error == nil)
            #expect(heard.samples == samples, "\(adapter) seed \(seed)")
        }
    }

    @Test func danglingOddByteIsDroppedNotGuessed() async {
        let transport = ReplayTransport([.binary(status: 200, headers: [:], body: SpeechWire.pcmBytes([5, 6]) + [0x7F])])
        let heard = await Self.collect(Self.make(.openAI, baseURL: nil, transport: transport).synthesize("x", voice: nil))
        #expect(heard.error == nil)
        #expect(heard.samples == [5, 6])
    }

    @Test(arguments: Adapter.allCases)
    func successStatusWithoutAudioIsAnErrorNeverSound(adapter: Adapter) async {
        let cases: [(ReplayTransport.Reply, ErrorClass)] = [
            (.json(200, #"{"detail":{"status":"quota_exceeded","message":"This request exceeds your quota of 10000."}}"#),
             .quotaExhausted),
            (.json(200, #"{"error":{"message":"The server had an error","type":"server_error"}}"#), .server),
            (.respond(status: 200, headers: ["Content-Type": "text/html"], body: "<html>captive portal</html>"),
             .malformedResponse),
            (.binary(status: 200, headers: ["Content-Type": "audio/pcm"], body: []), .malformedResponse),
        ]
        for (reply, expected) in cases {
            let transport = ReplayTransport([reply])
            let heard = await Self.collect(Self.make(adapter, baseURL: nil, transport: transport).synthesize("x", voice: nil))
            #expect(heard.frames.isEmpty, "\(adapter): no audio from a non-audio answer")
            #expect(heard.providerError?.kind == expected, "\(adapter): \(String(describing: heard.error))")
        }
    }

    @Test(arguments: Adapter.allCases)
    func emptyTextMakesNoRequest(adapter: Adapter) async {
        let transport = ReplayTransport([])
        let heard = await Self.collect(Self.make(adapter, baseURL: nil, transport: transport).synthesize("", voice: nil))
        #expect(heard.frames.isEmpty && heard.error == nil)
        #expect(transport.requests.isEmpty)
    }

    // MARK: HTTP failures on real sockets

    static let failures: [(response: ScriptedResponse, expected: ErrorClass, status: Int?)] = [
        (.json(status: 429, #"{"detail":{"status":"too_many_concurrent_requests","message":"Too many"}}"#,
               headers: [("Retry-After", "3")]), .rateLimited, 429),
        (.json(status: 429, #"{"error_code":"concurrency_limited","title":"Too many concurrent requests","message":"You have exceeded your plan's concurrency limit.","request_id":"550e8400"}"#),
         .rateLimited, 429),
        (.json(status: 401, #"{"detail":{"status":"quota_exceeded","message":"This request exceeds your quota of 10000."}}"#),
         .quotaExhausted, 401),
        (.json(status: 401, #"{"detail":{"status":"invalid_api_key","message":"Invalid API key: \#(key)"}}"#), .auth, 401),
        (.json(status: 402, #"{"error":{"message":"Payment required"}}"#), .quotaExhausted, 402),
        (.json(status: 500, "Internal Server Error"), .server, 500),
        (ScriptedResponse([.head(status: 200, headers: [("Content-Type", "audio/pcm")]), .body([1, 2, 3]),
                           .pause(.milliseconds(30)), .cut]), .network, nil),
    ]

    @Test(arguments: Adapter.allCases)
    func failuresAreClassifiedLikeLLMFailures(adapter: Adapter) async throws {
        for failure in Self.failures {
            let server = try ScriptedHTTPServer(responses: [failure.response])
            defer { server.stop() }
            let tts = Self.make(adapter, baseURL: server.baseURL, transport: try CurlHTTPClient())
            let heard = await Self.collect(tts.synthesize("Hello.", voice: nil))
            let error = try #require(heard.providerError, "\(adapter) should fail for \(failure.expected)")
            #expect(error.kind == failure.expected, "\(adapter): \(error)")
            #expect(error.status == failure.status)
            #expect(error.provider == tts.providerName)
            #expect(!error.description.contains(Self.key) && !String(reflecting: error).contains(Self.key))
            #expect(error.retryAfter == (failure.response.actions.contains { action in
                if case .head(_, let headers) = action { return headers.contains { $0.0 == "Retry-After" } }
                return false
            } ? .seconds(3) : nil))
        }
    }

    @Test func retryAfterIsHonouredFromTheHeader() async throws {
        let server = try ScriptedHTTPServer(responses: [.json(status: 429, #"{"detail":{"status":"system_busy"}}"#,
                                                              headers: [("Retry-After", "12")])])
        defer { server.stop() }
        let heard = await Self.collect(CartesiaTTS(apiKey: Secret(Self.key), baseURL: server.baseURL,
                                                   transport: try CurlHTTPClient()).synthesize("Hi.", voice: nil))
        #expect(heard.providerError?.kind == .rateLimited)
        #expect(heard.providerError?.retryAfter == .seconds(12))
    }
}
