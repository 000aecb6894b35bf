import Foundation
import Providers
import SteadfastConfig
import Testing
import Transport

@Suite("Speech chain construction")
struct SpeechChainBuilderTests {
    struct NoNetwork: HTTPTransport {
        func send(_ request: HTTPRequest) async throws -> HTTPResponse { throw HTTPError(.connectFailed, "offline") }
    }

    static func configuration(_ environment: [String: String]) throws -> SteadfastConfiguration {
        try ConfigurationLoader(environment: environment, envFile: nil).load()
    }

    static let allKeys = ["DEEPGRAM_API_KEY": "dg-key-0123456789", "GROQ_API_KEY": "gsk_0123456789",
                          "OPENAI_API_KEY": "sk-0123456789", "CARTESIA_API_KEY": "sk_car_0123456789",
                          "ELEVENLABS_API_KEY": "el-0123456789", "ANTHROPIC_API_KEY": "sk-ant-0123456789"]

    @Test func noKeysMeansTheLocalTailAlone() async throws {
        let config = try Self.configuration([:])
        let stt = STTChainBuilder(configuration: config, transport: NoNetwork())
        let tts = TTSChainBuilder(configuration: config, transport: NoNetwork())
        #expect(stt.providers().isEmpty && tts.providers().isEmpty)
        #expect(await stt.build(localTail: ScriptedSTT.answering("pocketsphinx", "x")).order == ["pocketsphinx"])
        #expect(await tts.build(localTail: ScriptedTTS.speaking("espeak", marker: 1)).order == ["espeak"])
    }

    @Test func everyKeyedProviderInTheDefaultOrderThenTheTail() async throws {
        let config = try Self.configuration(Self.allKeys)
        let stt = STTChainBuilder(configuration: config, transport: NoNetwork())
        let tts = TTSChainBuilder(configuration: config, transport: NoNetwork())
        #expect(stt.providers() == [.deepgram, .groq, .openai])
        #expect(tts.providers() == [.cartesia, .elevenlabs, .openai])
        let sttRouter = stt.build(localTail: ScriptedSTT.answering("pocketsphinx", "x"))
        let ttsRouter = tts.build(localTail: ScriptedTTS.speaking("espeak", marker: 1))
        #expect(await sttRouter.order == ["deepgram", "groq", "openai", "pocketsphinx"])
        #expect(await ttsRouter.order == ["cartesia", "elevenlabs", "openai", "espeak"])
        #expect(sttRouter.chainName == "stt" && ttsRouter.chainName == "tts")
        #expect(await sttRouter.health("pocketsphinx") != nil)
    }

    @Test func onlyConfiguredProvidersJoin() throws {
        let config = try Self.configuration(["OPENAI_API_KEY": "sk-only", "ELEVENLABS_API_KEY": "el-only"])
        #expect(STTChainBuilder(configuration: config, transport: NoNetwork()).providers() == [.openai])
        #expect(TTSChainBuilder(configuration: config, transport: NoNetwork()).providers() == [.elevenlabs, .openai])
    }

    @Test func adaptersUseTheBaseURLOverrides() async throws {
        let config = try Self.configuration(Self.allKeys.merging([
            "DEEPGRAM_BASE_URL": "http://127.0.0.1:9/dg", "GROQ_BASE_URL": "http://127.0.0.1:9/groq/v1",
            "OPENAI_BASE_URL": "http://127.0.0.1:9/oa/v1", "CARTESIA_BASE_URL": "http://127.0.0.1:9/ca",
            "ELEVENLABS_BASE_URL": "http://127.0.0.1:9/el",
        ]) { _, new in new })
        let stt = STTChainBuilder(configuration: config, transport: NoNetwork())
        let tts = TTSChainBuilder(configuration: config, transport: NoNetwork())
        #expect((try stt.makeSTT(.deepgram) as? DeepgramSTT)?.baseURL.absoluteString == "http://127.0.0.1:9/dg")
        #expect((try stt.makeSTT(.groq) as? OpenAICompatibleSTT)?.baseURL.absoluteString == "http://127.0.0.1:9/groq/v1")
        #expect((try stt.makeSTT(.openai) as? OpenAICompatibleSTT)?.baseURL.absoluteString == "http://127.0.0.1:9/oa/v1")
        #expect((try tts.makeTTS(.cartesia) as? CartesiaTTS)?.baseURL.absoluteString == "http://127.0.0.1:9/ca")
        #expect((try tts.makeTTS(.elevenlabs) as? ElevenLabsTTS)?.baseURL.absoluteString == "http://127.0.0.1:9/el")
        #expect((try tts.makeTTS(.openai) as? OpenAISpeechTTS)?.baseURL.absoluteString == "http://127.0.0.1:9/oa/v1")
    }

    @Test func missingKeyOrNoAdapterIsAClassifiedError() throws {
        let config = try Self.configuration(["ANTHROPIC_API_KEY": "sk-ant-0123456789"])
        let stt = STTChainBuilder(configuration: config, transport: NoNetwork())
        #expect { try stt.makeSTT(.deepgram) } throws: { ($0 as? ProviderError)?.kind == .auth }
        #expect { try stt.makeSTT(.anthropic) } throws: { ($0 as? ProviderError)?.kind == .badRequest }
        let tts = TTSChainBuilder(configuration: config, transport: NoNetwork())
        #expect { try tts.makeTTS(.anthropic) } throws: { ($0 as? ProviderError)?.kind == .badRequest }
    }
}
