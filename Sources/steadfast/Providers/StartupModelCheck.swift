import Foundation
import Logging
import Providers

extension AgentWiring {
    /// How long start-up waits for the model catalogues before carrying on without them (a cached
    /// catalogue answers at once; only a first run or a day-old cache fetches).
    static let modelCheckDeadline: Duration = .seconds(4)

    /// The start-up check (issue 18): every configured LLM, STT and TTS model is looked up in its
    /// provider's catalogue; a dead one costs one line and its member is marked unavailable, so it
    /// shows in the banner, `/status` and `providers` instead of failing every turn. Never blocks
    /// start for longer than `modelCheckDeadline`.
    func checkModels(llm: FallbackLLM, stt: FallbackRouter<STTCapability>? = nil,
                     tts: FallbackRouter<TTSCapability>? = nil) async {
        let check = ChainModelCheck(configuration: configuration,
                                    store: ModelCatalogueStore(transport: chains.transport, logger: logger),
                                    logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await check.run(llm.router)
                if let stt { await check.run(stt, role: .stt) }
                if let tts { await check.run(tts, role: .tts) }
            }
            group.addTask { try? await Task.sleep(for: Self.modelCheckDeadline) }
            // Whichever ends first; cancelling the other aborts a fetch still in flight.
            await group.next()
            group.cancelAll()
        }
    }
}
