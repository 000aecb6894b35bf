import Foundation
import Logging
import Providers

/// The first lines of `console`, `dev` and `start` on stderr: which agent runs, which providers serve
/// each stage, and one warning when no remote LLM can answer (the canned replies alone would
/// otherwise look like a broken agent).
struct StartupBanner {
    var agent: String
    var llm: ChainStatus
    var stt: ChainStatus?
    var tts: ChainStatus?

    var lines: [String] {
        func names(_ chain: ChainStatus) -> String {
            chain.providers.map { provider in
                provider.currentModel.map { "\(provider.name) (\($0))" } ?? provider.name
            }.joined(separator: " → ")
        }
        var stages = ["agent \(agent)", "LLM \(names(llm))"]
        if let stt { stages.append("STT \(names(stt))") }
        if let tts { stages.append("TTS \(names(tts))") }
        var lines = ["steadfast: " + stages.joined(separator: " · ")]
        if llm.providers.allSatisfy(\.isLastResort) {
            lines.append("steadfast: no LLM key is set: canned replies only; add OPENAI_API_KEY or OPENROUTER_API_KEY "
                         + "to .env (see .env.example)")
        }
        return lines
    }

    /// - Parameter logger: log the lines through it instead (JSON logs, where a raw line would break the format).
    static func show(agent: String, llm: FallbackLLM, stt: FallbackRouter<STTCapability>? = nil,
                     tts: FallbackRouter<TTSCapability>? = nil, logger: Logger? = nil) async {
        let banner = StartupBanner(agent: agent, llm: await llm.router.status(), stt: await stt?.status(),
                                   tts: await tts?.status())
        if let logger {
            for line in banner.lines { logger.notice("\(line.dropFirst("steadfast: ".count))") }
            return
        }
        FileHandle.standardError.write(Data((TerminalText.escaped(banner.lines.joined(separator: "\n")) + "\n").utf8))
    }
}
