import Audio
import Providers
import LocalSpeech
import Testing

/// The local engines as the last resort of real `FallbackRouter` chains whose remote member fails.
@Suite("Local engines as chain tails", .timeLimit(.minutes(5)))
struct LocalChainTailTests {
    struct BrokenSTT: STT {
        let providerName = "broken-stt"
        func transcribe(_ audio: AudioFrame, language: String?) async throws -> Transcript {
            throw ProviderError(.server, "down", provider: providerName)
        }
    }

    struct BrokenTTS: TTS {
        let providerName = "broken-tts"
        let sampleRate = 24_000
        func synthesize(_ text: String, voice: String?) -> AsyncThrowingStream<AudioFrame, any Error> {
            AsyncThrowingStream { $0.finish(throwing: ProviderError(.network, "down", provider: "broken-tts")) }
        }
    }

    @Test func ttsChainFallsBackToEspeakAndSpeaksEverySentence() async throws {
        let espeak = try #require(Engines.tts)
        let router = FallbackRouter<TTSCapability>(name: "tts", members: [
            ChainMember(name: "broken-tts", service: BrokenTTS(), policy: ProviderPolicy(maxRetries: 0)),
            ChainMember(name: "espeak", service: espeak, policy: .lastResort),
        ])
        var sentences = Set<Int>()
        var samples = 0
        var servedBy: String?
        for try await event in router.stream(TTSRequest(text: "Hello there. How are you today?")) {
            switch event {
            case .event(.audio(let sentence, let audio)):
                sentences.insert(sentence)
                samples += audio.samples.count
                #expect(audio.sampleRate == 48_000)
            case .served(let provider, _, _): servedBy = provider
            default: break
            }
        }
        #expect(servedBy == "espeak")
        #expect(sentences == [0, 1])
        #expect(samples > 48_000, "more than a second of speech")
    }

    @Test func sttChainFallsBackToPocketSphinx() async throws {
        let tts = try #require(Engines.tts)
        let pocketsphinx = try #require(Engines.stt)
        let audio = try #require(try await Engines.speak("what is the weather in Paris", with: tts).audio)
        let router = FallbackRouter<STTCapability>(name: "stt", members: [
            ChainMember(name: "broken-stt", service: BrokenSTT(), policy: ProviderPolicy(maxRetries: 0)),
            ChainMember(name: "pocketsphinx", service: pocketsphinx, policy: .lastResort),
        ], turnBudget: .seconds(300))   // about fallback, not speed: a loaded CI machine may decode slowly
        var transcripts: [Transcript] = []
        var servedBy: String?
        for try await event in router.stream(STTRequest(audio: audio, language: "en-US")) {
            if case .event(let transcript) = event { transcripts.append(transcript) }
            if case .served(let provider, _, _) = event { servedBy = provider }
        }
        #expect(servedBy == "pocketsphinx")
        #expect(transcripts.count == 1)
        let heard = transcripts.first?.text ?? ""
        #expect(LocalSpeechRoundTripTests.recognizesQuestion(heard), "heard \"\(heard)\"")
    }
}
