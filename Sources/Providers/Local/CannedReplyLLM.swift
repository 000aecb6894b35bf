import Foundation
import Synchronization
import Transport

/// The LLM chain's last resort: answers instantly, without a network, and cannot fail.
///
/// It is honest that the language service is unreachable, recognizes greetings, thanks and
/// goodbyes, varies its wording so a caller does not hear the same sentence twice in a row, and
/// can say which services are down.
public final class CannedReplyLLM: LLM, Sendable {
    public let providerName = "local"
    public var model: String { get async { "canned-replies" } }
    /// Names of providers currently unavailable, for "what's wrong?" questions.
    private let downServices: @Sendable () async -> [String]
    private let turn = Mutex(0)

    public init(downServices: @escaping @Sendable () async -> [String] = { [] }) {
        self.downServices = downServices
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        let said = request.messages.last { $0.role == .user }?.content ?? ""
        let index = turn.withLock { value in
            defer { value += 1 }
            return value
        }
        let downServices = self.downServices
        // A task only to await the status closure; it finishes at once.
        return .produced { continuation in
            let reply = Self.reply(to: said, turn: index, down: await downServices())
            continuation.yield(.textDelta(reply))
            continuation.yield(.usage(Usage()))
            continuation.yield(.finish(.stop))
        }
    }

    enum Intent { case greeting, goodbye, thanks, status, other }

    static func intent(of text: String) -> Intent {
        let words = Set(text.lowercased().split { !$0.isLetter && $0 != "'" }.map(String.init))
        if !words.isDisjoint(with: ["bye", "goodbye", "farewell"]) || text.lowercased().contains("see you") { return .goodbye }
        if !words.isDisjoint(with: ["thanks", "thank", "cheers"]) { return .thanks }
        if !words.isDisjoint(with: ["wrong", "broken", "down", "status", "working", "problem", "issue"]) { return .status }
        if !words.isDisjoint(with: ["hello", "hi", "hey", "morning", "afternoon", "evening", "howdy"]) { return .greeting }
        return .other
    }

    static func reply(to text: String, turn: Int, down: [String]) -> String {
        let pick = { (options: [String]) in options[turn % options.count] }
        switch intent(of: text) {
        case .greeting:
            return pick([
                "Hello! I can hear you, but my language service is having trouble right now, so my answers will be short.",
                "Hi there. I'm here, though I can't reach my language service at the moment. Bear with me.",
            ])
        case .goodbye:
            return pick(["Goodbye, and sorry I couldn't be more help today.", "Bye for now. Please try again in a little while."])
        case .thanks:
            return pick(["You're welcome.", "Happy to help, even in a limited way."])
        case .status:
            guard !down.isEmpty else {
                return "I'm running on my local backup because I couldn't reach my language service."
            }
            let names = down.count == 1 ? down[0] : down.dropLast().joined(separator: ", ") + " and " + down.last!
            return "I can't reach \(names) right now, so I'm answering from my local backup. Please try again shortly."
        case .other:
            return pick([
                "I'm having trouble reaching my language service; give me a moment and ask again.",
                "Sorry, my connection to the language service dropped. Could you ask that again in a few seconds?",
                "I couldn't get an answer just now because my language service is unavailable. Please try again shortly.",
            ])
        }
    }
}
