import ArgumentParser
import Foundation
import Providers
import SteadfastConfig

/// `steadfast ask`: one prompt through a provider chain, streamed, with a routing summary.
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Ask the LLM chain one question and stream the answer.",
        discussion: """
            Prints the answer as it streams, then which provider and model served it, the time to first \
            token, the total time and any provider switches (on stderr, so stdout is the answer alone). \
            Chains: default, bulletproof (hedging on), openrouter, local, or one provider name.
            """)

    @OptionGroup var configurationOptions: ConfigurationOptions
    @OptionGroup var routingOptions: RoutingOptions

    @Option(help: "Which chain answers.") var chain: LLMChainKind = .standard
    @Flag(help: "Print one JSON document instead of streaming text.") var json = false
    @Option(help: "System prompt.") var system = "You are a helpful voice assistant. Answer in one or two short sentences."
    // `.unconditional`: `--max-tokens -5` gets a range error, not "Missing value".
    @Option(parsing: .unconditional, help: "Maximum answer length in tokens.") var maxTokens = 300
    @Argument(help: "The question, or - to read it from standard input (for long prompts).") var prompt: String

    /// The longest prompt read from standard input; a larger one is refused rather than cut.
    static let maximumStdinPrompt = 16 * 1024 * 1024

    func validate() throws {
        try OptionRange.check(maxTokens, in: 1...1_000_000, flag: "--max-tokens")
        guard prompt == "-" || !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("The prompt must not be empty.")
        }
    }

    /// The prompt argument, or all of standard input for `-`.
    private func question() throws -> String {
        guard prompt == "-" else { return prompt }
        let data = try FileHandle.standardInput.readToEnd() ?? Data()
        guard data.count <= Self.maximumStdinPrompt else {
            throw CommandFailure("the prompt on standard input is \(data.count) bytes; the limit is \(Self.maximumStdinPrompt)")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CommandFailure("the prompt on standard input is empty")
        }
        return text
    }

    struct Report: Encodable {
        var answer: String
        var provider: String?
        var model: String?
        var ttftMs: Int?
        var totalMs: Int
        var switches: [Switch]
        var toolCalls: [String]
        struct Switch: Encodable { var from: String; var to: String; var reason: String }
        enum CodingKeys: String, CodingKey {
            case answer, provider, model, switches
            case ttftMs = "ttft_ms", totalMs = "total_ms", toolCalls = "tool_calls"
        }
    }

    func run() async throws {
        let config = try configurationOptions.load()
        let router: FallbackRouter<LLMCapability>
        let builder = try routingOptions.chainBuilder(config)
        do { router = try builder.build(chain) } catch { throw CommandFailure(error.message) }
        let request = LLMRequest(messages: [.system(system), .user(try question())], maxTokens: maxTokens)
        let start = ContinuousClock.now
        var report = Report(answer: "", totalMs: 0, switches: [], toolCalls: [])
        for try await event in router.stream(request) {
            switch event {
            case .event(.textDelta(let text)):
                report.answer += text
                if !json { printFlushed(TerminalText.escaped(text), terminator: "") }
            case .event(.toolCall(let call)):
                report.toolCalls.append("\(call.name)(\(call.arguments))")
            case .event:
                break
            case .attempt:
                break
            case .switched(let from, let to, let reason):
                report.switches.append(.init(from: from, to: to, reason: reason))
            case .served(let provider, let model, let ttft):
                report.provider = provider
                report.model = model
                report.ttftMs = ttft.map { Int($0.seconds * 1000) }
            }
        }
        report.totalMs = Int((ContinuousClock.now - start).seconds * 1000)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            printFlushed(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        printFlushed("")
        var summary = "— served by \(report.provider ?? "?") (model \(report.model ?? "?")), "
            + "TTFT \(report.ttftMs.map { "\($0) ms" } ?? "n/a"), total \(report.totalMs) ms"
        if !report.toolCalls.isEmpty { summary += ", tool calls: \(report.toolCalls.joined(separator: ", "))" }
        FileHandle.standardError.write(Data((summary + "\n").utf8))
        for change in report.switches {
            FileHandle.standardError.write(Data("— switched \(change.from) → \(change.to): \(change.reason)\n".utf8))
        }
    }
}
