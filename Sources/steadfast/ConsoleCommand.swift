import Agents
import ArgumentParser
import Audio
import Foundation
import Logging
import Providers
import Voice

/// `steadfast console`: talk to an agent with no server, by text or through WAV files.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Talk to an agent in the terminal (text) or from a WAV file (speech), with no server.",
        discussion: """
            Text: `steadfast console --text`, then type; piped stdin works too. Speech: `steadfast console \
            --in question.wav --out reply.wav --transcript` runs the whole pipeline (VAD → STT → LLM → TTS). \
            The LLM chain is the agent's (agents/*.yaml `llm:`) or --chain; with no keys set, the local \
            last resort answers. Speech uses every cloud STT and TTS whose key is set, then the local \
            engines (PocketSphinx, espeak-ng).
            """)

    @OptionGroup var configurationOptions: ConfigurationOptions
    @OptionGroup var routingOptions: RoutingOptions

    @Option(help: "The agent to talk to (a name from agents/*.yaml or registered in Swift).") var agent = "assistant"
    @Option(help: "Directory of declarative agent files.") var agentsDirectory = "agents"
    @Option(help: "LLM chain instead of the agent's own: default, bulletproof, openrouter, local or a provider.")
    var chain: LLMChainKind?
    @Flag(help: "Chat in text.") var text = false
    @Option(name: .customLong("in"), help: "WAV file with the user's speech (any rate).") var input: String?
    @Option(name: .customLong("out"), help: "WAV file for the agent's speech (48 kHz mono).") var output: String?
    @Flag(help: "Print both sides of the spoken conversation.") var transcript = false

    func validate() throws {
        if text && (input != nil || output != nil) {
            throw ValidationError("Use either --text or --in/--out, not both.")
        }
        if !text && (input == nil || output == nil) {
            throw ValidationError("Give --text for a text chat, or both --in question.wav and --out reply.wav.")
        }
    }

    func run() async throws {
        let config = try configurationOptions.load(quietByDefault: true)
        let logger = Logger(label: "steadfast.console")
        let variables = (try? configurationOptions.variables()) ?? [:]
        let wiring = try AgentWiring(configuration: config, chains: try routingOptions.chainBuilder(config),
                                     variables: variables, directory: agentsDirectory, logger: logger)
        let agent = try wiring.agent(named: agent)
        let llm = try wiring.llm(for: agent, override: chain)
        if text {
            await wiring.checkModels(llm: llm)
            await StartupBanner.show(agent: agent.name, llm: llm)
            try await TextConsole(agent: agent, llm: llm, logger: logger).run()
        } else if let input, let output {
            let stt = try wiring.sttChain()
            let tts = try wiring.ttsChain()
            await wiring.checkModels(llm: llm, stt: stt, tts: tts)
            await StartupBanner.show(agent: agent.name, llm: llm, stt: stt, tts: tts)
            try await SpeechConsole(agent: agent, llm: llm, stt: stt, tts: tts, logger: logger, printTranscript: transcript)
                .run(input: input, output: output)
        }
    }
}

/// Prints session events the way a person wants to read them.
struct ConsolePrinter {
    let dim: Bool

    init() { dim = isatty(STDOUT_FILENO) == 1 }

    func dimmed(_ text: String) -> String { dim ? "\u{1B}[2m\(text)\u{1B}[0m" : text }

    /// One turn's worth of events, until the agent listens again.
    func printTurn(from events: inout AsyncStream<AgentSessionEvent>.Iterator, llm: FallbackLLM,
                   streaming: Bool) async {
        var midLine = false
        while let event = await events.next() {
            switch event {
            case .agentTextDelta(let delta) where streaming:
                if !midLine { printFlushed("agent> ", terminator: "") }
                printFlushed(TerminalText.escaped(delta), terminator: "")
                midLine = true
            case .agentSpeaking(let line) where streaming:
                // Said outside the LLM (a greeting); streamed replies were already printed.
                if !midLine { printFlushed("agent> \(TerminalText.escaped(line))") }
            case .toolCalled(let name, let arguments, let result, let failed):
                if midLine { printFlushed(""); midLine = false }
                printFlushed(dimmed(TerminalText.escaped("  ⚙ \(name)(\(arguments)) → \(failed ? "failed: " : "")\(result)")))
            case .replyFinished:
                if midLine { printFlushed(""); midLine = false }
            case .metrics(let metrics):
                let model = await llm.router.currentProvider.map { " via \($0)" } ?? ""
                printFlushed(dimmed("  (served\(model); \(metrics.summary))"))
            case .error(let message):
                printFlushed(dimmed(TerminalText.escaped("  ! \(message)")))
            case .stateChanged(.listening):
                if midLine { printFlushed("") }
                return
            default:
                break
            }
        }
    }
}

/// `--text`: greeting, then one reply per input line.
struct TextConsole {
    let agent: any VoiceAgent
    let llm: FallbackLLM
    let logger: Logger

    func run() async throws {
        let session = try AgentSession(agent: agent, llm: llm, logger: logger)
        var events = session.events.makeAsyncIterator()
        let printer = ConsolePrinter()
        let interactive = isatty(STDIN_FILENO) == 1
        async let started: Void = session.start()
        await printer.printTurn(from: &events, llm: llm, streaming: true)
        await started
        let lines = StandardInputLines()
        if interactive { printFlushed("(type a message; /quit to leave)\nyou> ", terminator: "") }
        while let line = await lines.next() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else {
                if interactive { printFlushed("you> ", terminator: "") }
                continue
            }
            if ["/quit", "/exit", "quit", "exit"].contains(trimmed.lowercased()) { break }
            if !interactive { printFlushed("you> \(TerminalText.escaped(trimmed))") }
            async let reply = session.respond(to: trimmed)
            await printer.printTurn(from: &events, llm: llm, streaming: true)
            _ = await reply
            if interactive { printFlushed("you> ", terminator: "") }
        }
        await session.close()
    }
}

/// `--in/--out`: the whole speech pipeline over files.
struct SpeechConsole {
    let agent: any VoiceAgent
    let llm: FallbackLLM
    let stt: FallbackRouter<STTCapability>
    let tts: FallbackRouter<TTSCapability>
    let logger: Logger
    let printTranscript: Bool

    /// A file has no room noise before it; the VAD learns its noise floor from this lead-in.
    static let leadIn = 500

    func run(input: String, output: String) async throws {
        let question: AudioFrame
        do { question = try WAVFile.read(path: input) } catch { throw CommandFailure(error.message) }
        let session = try AgentSession(agent: agent, llm: llm, stt: stt, tts: tts,
                                       options: AgentSessionOptions(pacing: .unpaced), logger: logger)
        let lines = TranscriptLines()
        let printer = ConsolePrinter()
        async let transcriptDone: Void = lines.collect(session.events, printer: printer, llm: llm, echo: printTranscript)
        async let audio: [AudioFrame] = session.audioOutput.reduce(into: []) { $0.append($1) }
        await session.start()
        let started = ContinuousClock.now
        let lead = AudioFrame.silence(milliseconds: Self.leadIn, sampleRate: question.sampleRate, channels: question.channels)
        let frames = (lead.samples + question.samples).chunked(frame: question.sampleRate / 50 * question.channels)
            .map { AudioFrame(samples: Array($0), sampleRate: question.sampleRate, channels: question.channels) }
        await session.run(input: frames.async)
        await session.close()
        await transcriptDone
        let reply = AudioFrame(samples: await audio.flatMap(\.samples))
        do { try WAVFile.write(reply, toPath: output) } catch { throw CommandFailure(error.message) }
        let elapsed = ContinuousClock.now - started
        FileHandle.standardError.write(Data(
            "— \(Int(reply.milliseconds)) ms of agent speech written to \(output) in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds])))\n".utf8))
        if lines.userTurns == 0 {
            FileHandle.standardError.write(Data("— no speech was recognized in \(input)\n".utf8))
        }
    }
}

/// Collects (and optionally prints) both sides of a spoken conversation.
final class TranscriptLines: @unchecked Sendable {
    // SAFETY: only `collect` writes, and readers look after it has finished.
    private(set) var userTurns = 0

    func collect(_ events: AsyncStream<AgentSessionEvent>, printer: ConsolePrinter, llm: FallbackLLM, echo: Bool) async {
        // Spoken clauses are gathered into one line per stretch of agent speech.
        var spoken: [String] = []
        func flush() {
            if echo, !spoken.isEmpty { printFlushed("agent> \(TerminalText.escaped(spoken.joined(separator: " ")))") }
            spoken = []
        }
        for await event in events {
            switch event {
            case .userTranscript(let text, true):
                flush()
                userTurns += 1
                if echo { printFlushed("you> \(TerminalText.escaped(text))") }
            case .agentSpeaking(let text):
                spoken.append(text)
            case .stateChanged(.listening), .replyFinished:
                flush()
            case .toolCalled(let name, let arguments, let result, let failed):
                flush()
                if echo { printFlushed(printer.dimmed(TerminalText.escaped("  ⚙ \(name)(\(arguments)) → \(failed ? "failed: " : "")\(result)"))) }
            case .metrics(let metrics):
                flush()
                let served = await llm.router.currentProvider.map { " via \($0)" } ?? ""
                if echo { printFlushed(printer.dimmed("  (served\(served); \(metrics.summary))")) }
            default:
                break
            }
        }
        flush()
    }
}

extension Array {
    func chunked(frame: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: Swift.max(1, frame)).map { self[$0..<Swift.min(count, $0 + frame)] }
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
