import Foundation

/// The LLM as a routed capability: text and tool calls are output; usage is accounted; a failed
/// answer continues on the next provider from what was already said.
public enum LLMCapability: RoutedCapability {
    public static let kind = "LLM"

    public static func start(_ service: any LLM, _ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        service.stream(request)
    }

    public static func model(of service: any LLM) async -> String? { await service.model }

    public static func isOutput(_ event: LLMEvent) -> Bool {
        switch event {
        case .textDelta(let text): return !text.isEmpty
        case .toolCall: return true
        case .usage, .finish: return false
        }
    }

    public static func isTerminal(_ event: LLMEvent) -> Bool {
        if case .finish = event { return true }
        return false
    }

    public static func usage(in event: LLMEvent) -> (tokens: Int, costUSD: Double?)? {
        if case .usage(let usage) = event { return (usage.totalTokens, usage.costUSD) }
        return nil
    }

    /// About four characters per token, plus the answer budget: deliberately rough, used only
    /// to skip a provider that would certainly exceed a token limit.
    public static func estimatedTokens(_ request: LLMRequest) -> Int {
        let characters = request.messages.reduce(0) { $0 + $1.content.count + $1.toolCalls.reduce(0) { $0 + $1.arguments.count } }
        return characters / 4 + (request.maxTokens ?? 256)
    }

    public static func deadline(of request: LLMRequest) -> ContinuousClock.Instant? { request.deadline }

    /// Continuation prompt: the partial answer as the assistant's turn, then an instruction to go
    /// on from exactly there. Tool calls already emitted are not re-requested.
    public static func continuation(of request: LLMRequest, after delivered: [LLMEvent]) -> LLMRequest {
        let spoken = delivered.compactMap { event -> String? in
            if case .textDelta(let text) = event { return text }
            return nil
        }.joined()
        guard !spoken.isEmpty else { return request }
        var next = request
        next.messages.append(.assistant(spoken))
        next.messages.append(.user("""
            [Your previous reply was cut off after the text above. Continue it from exactly where it \
            stopped. Do not repeat anything already said, do not apologize, and do not mention the interruption.]
            """))
        return next
    }

    public static func splicer(after delivered: [LLMEvent]) -> LLMSplicer { LLMSplicer(after: delivered) }

    /// Only requests marked cacheable, keyed by everything that shapes the answer.
    public static func cacheKey(_ request: LLMRequest) -> String? {
        guard request.cacheable else { return nil }
        var parts: [String] = [request.model ?? "", request.temperature.map { "\($0)" } ?? "", "\(request.maxTokens ?? 0)"]
        for message in request.messages {
            parts.append("\(message.role.rawValue):\(message.content):\(message.toolCallID ?? "")")
            parts += message.toolCalls.map { "\($0.name)(\($0.arguments))" }
        }
        parts += request.tools.map { "\($0.name):\($0.parameters.jsonText)" }
        return parts.joined(separator: "\u{1F}")
    }
}

/// Joins a continuation onto an interrupted answer so the listener never hears a word twice.
///
/// It holds back the continuation's opening text until it can tell how much of it repeats the
/// end of what was already delivered (providers often restart the sentence, or the whole answer),
/// then passes on only the new part. Tool calls equal to one already delivered (same name and
/// arguments) are dropped.
public struct LLMSplicer: EventSplicer {
    private let spoken: String
    private let deliveredCalls: Set<String>
    private var pending = ""
    private var resolved: Bool
    /// How much opening text to gather before deciding (enough to recognize a restart).
    private let lookahead: Int

    public init(after delivered: [LLMEvent]) {
        spoken = delivered.compactMap { if case .textDelta(let t) = $0 { return t } else { return nil } }.joined()
        deliveredCalls = Set(delivered.compactMap { if case .toolCall(let c) = $0 { return Self.signature(c) } else { return nil } })
        resolved = spoken.isEmpty
        lookahead = min(spoken.count, 200) + 24
    }

    public mutating func accept(_ event: LLMEvent) -> [LLMEvent] {
        switch event {
        case .textDelta(let text):
            if resolved { return [event] }
            pending += text
            return pending.count >= lookahead ? resolve() : []
        case .toolCall(let call):
            if deliveredCalls.contains(Self.signature(call)) { return resolve() }
            return resolve() + [event]
        case .usage, .finish:
            return resolve() + [event]
        }
    }

    public mutating func finish() -> [LLMEvent] { resolve() }

    private mutating func resolve() -> [LLMEvent] {
        guard !resolved else { return [] }
        resolved = true
        let fresh = Self.removeOverlap(spoken: spoken, continuation: pending)
        pending = ""
        return fresh.isEmpty ? [] : [.textDelta(fresh)]
    }

    /// The part of `continuation` that is new after `spoken`.
    static func removeOverlap(spoken: String, continuation: String) -> String {
        let normalizedSpoken = Array(spoken)
        let next = Array(continuation)
        // A restart of the whole answer: the continuation begins with what was spoken.
        if let restart = matchedPrefixLength(of: normalizedSpoken, in: next) { return String(next[restart...]) }
        // Longest suffix of the spoken text that the continuation repeats at its start (case and
        // spacing differences ignored). At least 4 characters, so "a" or "the" does not count.
        let maxOverlap = min(normalizedSpoken.count, next.count)
        var best = 0
        if maxOverlap >= 4 {
            for length in stride(from: maxOverlap, through: 4, by: -1) {
                let suffix = normalizedSpoken[(normalizedSpoken.count - length)...]
                if equalIgnoringCase(Array(suffix), Array(next[..<length])) {
                    best = length
                    break
                }
            }
        }
        var rest = String(next[best...])
        // Keep exactly one space at the seam between two words.
        if let last = spoken.last, let first = rest.first {
            if last.isWhitespace && first.isWhitespace { rest = String(rest.drop(while: \.isWhitespace)) }
            else if !last.isWhitespace && !first.isWhitespace && !first.isPunctuation && best == 0
                && last.isLetter && first.isLetter { rest = " " + rest }
        }
        return rest
    }

    /// Length of `next`'s prefix that equals all of `spoken` (ignoring case and leading space), or nil.
    private static func matchedPrefixLength(of spoken: [Character], in next: [Character]) -> Int? {
        let trimmedSpoken = Array(String(spoken).trimmingCharacters(in: .whitespaces))
        let leading = next.prefix { $0.isWhitespace }.count
        let body = Array(next[leading...])
        guard trimmedSpoken.count >= 8, body.count >= trimmedSpoken.count,
              equalIgnoringCase(Array(body[..<trimmedSpoken.count]), trimmedSpoken)
        else { return nil }
        return leading + trimmedSpoken.count
    }

    private static func equalIgnoringCase(_ a: [Character], _ b: [Character]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.lowercased() == $1.lowercased() }
    }

    private static func signature(_ call: ToolCall) -> String {
        let arguments = JSONValue(parsing: call.arguments)?.jsonText ?? call.arguments
        return call.name + "\u{1F}" + arguments
    }
}
