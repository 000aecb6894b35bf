import Agents
import Foundation
import LocalSpeech
import Logging
import Providers
import SteadfastConfig
import Transport

/// What a command needs to run agents: the registry (agents/*.yaml plus the Swift default), LLM
/// chains per agent preference, and the speech chains. Wiring only; the logic lives in the targets.
struct AgentWiring {
    let configuration: SteadfastConfiguration
    let chains: LLMChainBuilder
    let registry: AgentRegistry
    let logger: Logger

    /// Loads agent files from `directory`, reporting bad files on stderr (the others still load),
    /// and registers the built-in assistant when no file defines one.
    init(configuration: SteadfastConfiguration, chains: LLMChainBuilder, variables: [String: String],
         directory: String, logger: Logger) throws {
        self.configuration = configuration
        self.chains = chains
        self.logger = logger
        let weather: OpenMeteoConfiguration
        do { weather = try OpenMeteoConfiguration(variables: variables) } catch { throw CommandFailure(error.message) }
        let builtIns = BuiltInTools(transport: chains.transport, weather: weather)
        // Only the default `agents` may be absent; a directory the user named must exist.
        do { try AgentFileLoader.checkDirectory(directory, required: directory != "agents") } catch {
            throw CommandFailure(error.message)
        }
        registry = AgentRegistry()
        let result = registry.loadAgents(from: AgentFileLoader(directory: URL(fileURLWithPath: directory),
                                                               environment: variables),
                                         builtIns: builtIns, transport: chains.transport)
        for error in result.errors { logger.error("Agent file skipped: \(error)") }
        for warning in result.warnings { logger.notice("\(warning)") }
        if !registry.contains(DefaultAssistant.agentName) {
            let tools = builtIns.all
            try? registry.register(name: DefaultAssistant.agentName) { DefaultAssistant(tools: tools) }
        }
    }

    /// A fresh instance of `name`, or a one-line error listing the registered agents.
    func agent(named name: String) throws -> any VoiceAgent {
        guard let agent = registry.makeAgent(named: name) else {
            throw CommandFailure("there is no agent called \"\(name)\"; registered: \(registry.names.joined(separator: ", "))")
        }
        return agent
    }

    /// The LLM for `agent`: `override` if given, else the agent's own preference, else the default chain.
    func llm(for agent: any VoiceAgent, override: LLMChainKind?) throws -> FallbackLLM {
        do {
            if let override { return FallbackLLM(router: try chains.build(override)) }
            switch agent.preferences.llm {
            case .chain(let name)?:
                guard let kind = LLMChainKind(name: name) else {
                    throw CommandFailure("agent \(agent.name) asks for an unknown LLM chain \"\(name)\"")
                }
                return FallbackLLM(router: try chains.build(kind))
            case .models(let models)? where !models.isEmpty:
                var configuration = self.configuration
                configuration.openRouter.defaultModel = models[0]
                configuration.openRouter.fallbackModels = Array(models.dropFirst())
                let builder = LLMChainBuilder(configuration: configuration, settings: chains.settings,
                                              transport: chains.transport, logger: logger)
                return FallbackLLM(router: try builder.build(.openrouter))
            default:
                return FallbackLLM(router: try chains.build(.standard))
            }
        } catch let error as ConfigError {
            throw CommandFailure(error.message)
        }
    }

    /// Speech to text: every cloud STT whose key is set (Deepgram → Groq → OpenAI), then PocketSphinx.
    func sttChain() throws -> FallbackRouter<STTCapability> {
        let pocketsphinx: PocketSphinxSTT
        do { pocketsphinx = try PocketSphinxSTT(logger: logger) } catch { throw CommandFailure("\(error)") }
        return STTChainBuilder(configuration: configuration, transport: chains.transport, logger: logger)
            .build(localTail: pocketsphinx)
    }

    /// Text to speech: every cloud TTS whose key is set (Cartesia → ElevenLabs → OpenAI), then espeak-ng.
    func ttsChain() throws -> FallbackRouter<TTSCapability> {
        let espeak: EspeakTTS
        do { espeak = try EspeakTTS() } catch { throw CommandFailure("\(error)") }
        return TTSChainBuilder(configuration: configuration, transport: chains.transport, logger: logger)
            .build(localTail: espeak)
    }
}

/// The assistant when `agents/assistant.yaml` is absent (the console run outside the repository).
struct DefaultAssistant: VoiceAgent {
    static let agentName = "assistant"
    let name = DefaultAssistant.agentName
    let instructions = """
        You are Steadfast, a friendly voice assistant. Your answers are spoken aloud, so keep them short \
        (one to three sentences) and plain. Use getWeather for the weather somewhere, getModelInfo when asked \
        which model you are, and switchModel when asked to use another model or provider.
        """
    let tools: [any Tool]
    var greeting: String? { "Hi, I'm Steadfast. Ask me about the weather anywhere, or ask me to switch models." }
}
