import Audio
import Foundation
import Logging
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// Chains built by `STTChainBuilder`/`TTSChainBuilder` from configuration, whose `*_BASE_URL`s point
/// at loopback servers speaking the vendors' wire formats, with the real libcurl client and router.
@Suite("Scenarios: cloud speech falls back to the local tail", .timeLimit(.minutes(3)))
struct SpeechFallbackScenarios {
    static let quiet = Logger(label: "scenario.speech") { _ in SwiftLogNoOpLogHandler() }

    /// Deadlines short enough for a stall test, loose enough for a loaded 2-core machine.
    static func policy(_ base: ProviderPolicy) -> ProviderPolicy {
        var policy = base
        policy.firstTokenDeadline = .seconds(1)
        policy.idleTimeout = .seconds(1)
        policy.requestTimeout = .seconds(10)
        return policy
    }

    static func configuration(_ servers: [ProviderID: ScriptedHTTPServer], keys: [ProviderID: String] = [:]) throws
        -> SteadfastConfiguration {
        var environment: [String: String] = [:]
        for (provider, server) in servers {
            environment[provider.apiKeyVariables[0]] = keys[provider] ?? "\(provider.rawValue)-scenario-key-0123456789"
            environment[provider.baseURLVariable] = server.baseURL.absoluteString + (provider == .groq || provider == .openai ? "/v1" : "")
        }
        return try ConfigurationLoader(environment: environment, envFile: nil).load()
    }

    static let segment = AudioFrame(samples: (0..<4800).map { Int16($0 % 500) }, sampleRate: 48_000)

    // MARK: STT

    @Test func rateLimitedAndStalledCloudSTTFallBackToTheLocalTailOnce() async throws {
        let deepgram = try ScriptedHTTPServer(responses: [
            .json(status: 429, #"{"err_code":"TOO_MANY_REQUESTS","err_msg":"Too many requests"}"#, headers: [("Retry-After", "30")]),
        ])
        let groq = try ScriptedHTTPServer(responses: [ScriptedResponse([.stall])])
        defer { deepgram.stop(); groq.stop() }
        let builder = STTChainBuilder(configuration: try Self.configuration([.deepgram: deepgram, .groq: groq]),
                                      transport: try CurlHTTPClient(), policy: Self.policy(STTChainBuilder.defaultPolicy),
                                      logger: Self.quiet)
        let local = ScriptedSTT.answering("pocketsphinx", "book a table")
        let router = builder.build(localTail: local)
        #expect(await router.order == ["deepgram", "groq", "pocketsphinx"])

        let started = ContinuousClock.now
        let heard = try await STTRoutingTests.collect(router.stream(STTRequest(audio: Self.segment, language: "en-US")))
        #expect(heard.transcripts.map(\.text) == ["book a table"], "exactly one transcript")
        #expect(heard.servedBy == "pocketsphinx")
        #expect(heard.switches.map(\.from) == ["deepgram", "groq"])
        #expect(local.receivedAudio == [Self.segment], "the tail got the very segment the cloud was sent")
        #expect(ContinuousClock.now - started < .seconds(5), "the 30 s Retry-After was not slept on")
        #expect(deepgram.requests.count == 1 && groq.requests.count == 1)
        #expect(await groq.waitForClientClose(), "the stalled request was abandoned, not leaked")
        let benchedUntil = try #require(await router.health("deepgram")?.rateLimitedUntil)
        #expect(benchedUntil.timeIntervalSinceNow > 20, "benched for the 30 s the provider asked for")
    }

    @Test func healthyCloudSTTAnswersAndTheTailIsNotAsked() async throws {
        let deepgram = try ScriptedHTTPServer(responses: [SpeechWire.deepgramTranscript("Hello.", confidence: 0.93)])
        defer { deepgram.stop() }
        let builder = STTChainBuilder(configuration: try Self.configuration([.deepgram: deepgram]),
                                      transport: try CurlHTTPClient(), logger: Self.quiet)
        let local = ScriptedSTT.answering("pocketsphinx", "wrong")
        let heard = try await STTRoutingTests.collect(builder.build(localTail: local).stream(STTRequest(audio: Self.segment)))
        #expect(heard.transcripts.map(\.text) == ["Hello."])
        #expect(heard.transcripts.first?.confidence == 0.93)
        #expect(heard.servedBy == "deepgram")
        #expect(local.calls == 0)
    }

    // MARK: TTS

    @Test func rateLimitedAndStalledCloudTTSFallBackToTheLocalTailOnce() async throws {
        let cartesia = try ScriptedHTTPServer(responses: [
            .json(status: 429, #"{"error_code":"concurrency_limited","title":"Too many concurrent requests","message":"limit"}"#,
                  headers: [("Retry-After", "30")]),
        ])
        let elevenLabs = try ScriptedHTTPServer(responses: [ScriptedResponse([.head(status: 200, headers: [("Content-Type", "audio/pcm")]), .stall])])
        defer { cartesia.stop(); elevenLabs.stop() }
        let builder = TTSChainBuilder(configuration: try Self.configuration([.cartesia: cartesia, .elevenlabs: elevenLabs]),
                                      transport: try CurlHTTPClient(), policy: Self.policy(TTSChainBuilder.defaultPolicy),
                                      logger: Self.quiet)
        let local = ScriptedTTS.speaking("espeak", marker: 9, sampleRate: 22_050)
        let router = builder.build(localTail: local)
        #expect(await router.order == ["cartesia", "elevenlabs", "espeak"])

        let heard = try await TTSRoutingTests.collect(router.stream(TTSRequest(text: "One. Two.", outputSampleRate: nil)))
        #expect(heard.servedBy == "espeak")
        #expect(heard.switches == ["cartesia", "elevenlabs"])
        #expect(heard.speakers == [0: [9], 1: [9]], "only the tail's audio, for every sentence")
        #expect(heard.finishedSentences == [0, 1] && heard.finished == 1, "spoken exactly once")
        #expect(local.spokenTexts == ["One.", "Two."])
        #expect(await elevenLabs.waitForClientClose(), "the stalled stream was abandoned, not leaked")
    }

    @Test func cloudAudioIsResampledToTheOutputRate() async throws {
        let samples = [Int16](repeating: 1234, count: 2400)
        let cartesia = try ScriptedHTTPServer { _ in SpeechWire.pcm(SpeechWire.pcmBytes(samples), chunkSizes: [1001, 999, 3000]) }
        defer { cartesia.stop() }
        let builder = TTSChainBuilder(configuration: try Self.configuration([.cartesia: cartesia]),
                                      transport: try CurlHTTPClient(), logger: Self.quiet)
        let local = ScriptedTTS.speaking("espeak", marker: 9)
        let heard = try await TTSRoutingTests.collect(builder.build(localTail: local).stream(TTSRequest(text: "Hello there.")))
        #expect(heard.servedBy == "cartesia")
        #expect(heard.audio.allSatisfy { $0.rate == 48_000 })
        let total = heard.audio.reduce(0) { $0 + $1.samples }
        #expect(abs(total - 4800) <= 100, "100 ms at 24 kHz became about 100 ms at 48 kHz (got \(total))")
        #expect(local.spokenTexts.isEmpty)
    }

    @Test func cutMidSentenceResumesOnTheTailWithoutRepeating() async throws {
        let cartesia = try ScriptedHTTPServer { _ in
            ScriptedResponse([.head(status: 200, headers: [("Content-Type", "application/octet-stream")]),
                              .body(SpeechWire.pcmBytes([Int16](repeating: 777, count: 480))), .pause(.milliseconds(50)), .cut])
        }
        defer { cartesia.stop() }
        let builder = TTSChainBuilder(configuration: try Self.configuration([.cartesia: cartesia]),
                                      transport: try CurlHTTPClient(), policy: Self.policy(TTSChainBuilder.defaultPolicy),
                                      logger: Self.quiet)
        let local = ScriptedTTS.speaking("espeak", marker: 9)
        let heard = try await TTSRoutingTests.collect(builder.build(localTail: local)
            .stream(TTSRequest(text: "One. Two.", outputSampleRate: nil)))
        #expect(heard.speakers == [0: [777], 1: [9]], "sentence 0 clipped, sentence 1 from the tail")
        #expect(local.spokenTexts == ["Two."], "the tail resumed after what was heard")
        #expect(heard.finished == 1)
    }

    // MARK: Keys

    /// The key a request carried, whichever header the vendor uses.
    @Sendable static func echo(_ request: RecordedRequest) -> String {
        let raw = request.header("Authorization") ?? request.header("xi-api-key") ?? request.header("X-API-Key") ?? ""
        return raw.replacingOccurrences(of: "Bearer ", with: "").replacingOccurrences(of: "Token ", with: "")
    }

    @Test func keysEchoedByEverySpeechVendorNeverReachErrorsLogsOrStatus() async throws {
        let keys: [ProviderID: String] = [
            .deepgram: "dgQZX7f3a9c2e91d04b6f8a5e3", .groq: "gsk_QZX94e1b7d20c5f3a86e9a1",
            .openai: "sk-proj-QZX3c8d1f06b2e7a49d5c0", .cartesia: "sk_car_QZX0a6e2c9f4b7d13e58a2",
            .elevenlabs: "QZXe5b1c7d93f0a2468bd1e",
        ]
        let deepgram = try ScriptedHTTPServer { .json(status: 401, #"{"err_code":"INVALID_AUTH","err_msg":"Invalid credentials: \#(Self.echo($0))"}"#) }
        let groq = try ScriptedHTTPServer { .json(status: 401, #"{"error":{"message":"Invalid API Key \#(Self.echo($0))","type":"invalid_request_error","code":"invalid_api_key"}}"#) }
        let openAI = try ScriptedHTTPServer { .json(status: 401, #"{"error":{"message":"Incorrect API key provided: \#(Self.echo($0)).","type":"invalid_request_error"}}"#) }
        let cartesia = try ScriptedHTTPServer { .json(status: 500, #"{"error_code":null,"title":"Internal","message":"key \#(Self.echo($0)) broke us"}"#) }
        let elevenLabs = try ScriptedHTTPServer { .json(status: 200, #"{"detail":{"status":"invalid_api_key","message":"Invalid key \#(Self.echo($0))"}}"#) }
        defer { [deepgram, groq, openAI, cartesia, elevenLabs].forEach { $0.stop() } }

        let capture = CapturingLogHandler.Store()
        let logger = CapturingLogHandler.logger(capture, label: "scenario.speech.secrets")
        logger.debug("capture is live")
        let transport = try CurlHTTPClient(logger: logger)
        let sttConfig = try Self.configuration([.deepgram: deepgram, .groq: groq, .openai: openAI], keys: keys)
        let ttsConfig = try Self.configuration([.cartesia: cartesia, .elevenlabs: elevenLabs, .openai: openAI], keys: keys)
        let sttRouter = STTChainBuilder(configuration: sttConfig, transport: transport, logger: logger)
            .build(localTail: ScriptedSTT.answering("pocketsphinx", "local"))
        let ttsRouter = TTSChainBuilder(configuration: ttsConfig, transport: transport, logger: logger)
            .build(localTail: ScriptedTTS.speaking("espeak", marker: 9))

        let heard = try await STTRoutingTests.collect(sttRouter.stream(STTRequest(audio: Self.segment)))
        #expect(heard.servedBy == "pocketsphinx" && heard.switches.count == 3)
        let spoken = try await TTSRoutingTests.collect(ttsRouter.stream(TTSRequest(text: "Hi.", outputSampleRate: nil)))
        #expect(spoken.servedBy == "espeak" && spoken.switches.count == 3)

        var errors: [String] = []
        let stts: [any STT] = try [ProviderID.deepgram, .groq, .openai].map {
            try STTChainBuilder(configuration: sttConfig, transport: transport, logger: logger).makeSTT($0)
        }
        for stt in stts {
            do { _ = try await stt.transcribe(Self.segment, language: nil); Issue.record("\(stt.providerName) should fail") }
            catch { errors += [String(describing: error), String(reflecting: error)] }
        }
        let ttss: [any TTS] = try [ProviderID.cartesia, .elevenlabs, .openai].map {
            try TTSChainBuilder(configuration: ttsConfig, transport: transport, logger: logger).makeTTS($0)
        }
        for tts in ttss {
            let result = await CloudTTSTests.collect(tts.synthesize("Hi.", voice: nil))
            let error = try #require(result.error, "\(tts.providerName) should fail")
            errors += [String(describing: error), String(reflecting: error)]
        }
        let status = String(decoding: try JSONEncoder().encode(await sttRouter.status()), as: UTF8.self)
            + String(decoding: try JSONEncoder().encode(await ttsRouter.status()), as: UTF8.self)

        let everything = [capture.lines.joined(separator: "\n"), errors.joined(separator: "\n"), status]
        for (index, text) in everything.enumerated() {
            for key in keys.values {
                let body = Array(key.drop { $0 != "Q" })
                let leaked = (0...(body.count - 8)).map { String(body[$0..<($0 + 8)]) }.filter { text.contains($0) }
                #expect(leaked.isEmpty, "part \(index) leaks \(leaked.prefix(2)): \(text.prefix(1500))")
            }
        }
        #expect(errors.count == 12)
        #expect(deepgram.requests.first?.header("Authorization") == "Token \(keys[.deepgram]!)", "the servers did get the keys")
        #expect(elevenLabs.requests.first?.header("xi-api-key") == keys[.elevenlabs])
    }
}
