import Foundation
import Providers
import Synchronization
import Transport

/// A test double of one provider: each call plays a script of steps. For router unit tests only;
/// socket-level scenarios use the real adapters against scripted HTTP servers.
final class ScriptedLLM: LLM, Sendable {
    enum Step: Sendable {
        case text(String)
        case tool(ToolCall)
        case wait(Duration)
        case fail(ErrorClass, retryAfter: Duration? = nil)
        /// Never yields again (until cancelled).
        case stall
        case finish
    }

    let providerName: String
    var model: String { get async { "\(providerName)-model" } }
    private let script: @Sendable (_ call: Int, _ request: LLMRequest) -> [Step]
    private struct State {
        var calls = 0
        var requests: [LLMRequest] = []
        var cancellations = 0
        var cancellationWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }
    private let state = Mutex(State())

    init(_ name: String, script: @escaping @Sendable (_ call: Int, _ request: LLMRequest) -> [Step]) {
        providerName = name
        self.script = script
    }

    /// Always answers `text` in a few deltas.
    static func answering(_ name: String, _ text: String, after delay: Duration = .zero) -> ScriptedLLM {
        ScriptedLLM(name) { _, _ in [.wait(delay)] + text.split(separator: " ", omittingEmptySubsequences: false)
            .enumerated().map { .text(($0.offset == 0 ? "" : " ") + $0.element) } + [.finish] }
    }

    var calls: Int { state.withLock { $0.calls } }
    var requests: [LLMRequest] { state.withLock { $0.requests } }
    var cancellations: Int { state.withLock { $0.cancellations } }

    /// Returns once at least `count` calls have seen their cancellation: a test's synchronisation
    /// point, instead of sleeping and hoping the cancellation has arrived by then.
    func cancelled(_ count: Int = 1) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                if state.cancellations >= count { return true }
                state.cancellationWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func recordCancellation() {
        let ready = state.withLock { state in
            state.cancellations += 1
            let count = state.cancellations
            let ready = state.cancellationWaiters.filter { $0.count <= count }.map(\.continuation)
            state.cancellationWaiters.removeAll { $0.count <= count }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        let call = state.withLock { state in
            state.requests.append(request)
            defer { state.calls += 1 }
            return state.calls
        }
        let steps = script(call, request)
        let name = providerName
        return .produced { continuation in
            do {
                for step in steps {
                    switch step {
                    case .text(let text): continuation.yield(.textDelta(text))
                    case .tool(let call): continuation.yield(.toolCall(call))
                    case .wait(let duration): try await Task.sleep(for: duration)
                    case .fail(let kind, let retryAfter):
                        throw ProviderError(kind, "scripted \(kind.rawValue)", provider: name, retryAfter: retryAfter)
                    case .stall: try await Task.sleep(for: .seconds(3600))
                    case .finish:
                        continuation.yield(.usage(Usage(inputTokens: 10, outputTokens: 5, costUSD: 0.0001)))
                        continuation.yield(.finish(.stop))
                    }
                }
            } catch is CancellationError {
                self.recordCancellation()
                throw ProviderError(.cancelled, "cancelled", provider: name)
            }
        }
    }
}

/// What a caller observed from one routed request.
struct RoutedAnswer {
    var text = ""
    var toolCalls: [ToolCall] = []
    var attempts: [String] = []
    var switches: [(from: String, to: String)] = []
    var servedBy: String?
    var finishes = 0

    static func collect(_ stream: AsyncThrowingStream<RoutedEvent<LLMEvent>, any Error>) async throws -> RoutedAnswer {
        var answer = RoutedAnswer()
        for try await event in stream {
            switch event {
            case .event(.textDelta(let text)): answer.text += text
            case .event(.toolCall(let call)): answer.toolCalls.append(call)
            case .event(.finish): answer.finishes += 1
            case .event(.usage): break
            case .attempt(let provider, _): answer.attempts.append(provider)
            case .switched(let from, let to, _): answer.switches.append((from, to))
            case .served(let provider, _, _): answer.servedBy = provider
            }
        }
        return answer
    }
}

/// A wall clock tests can move by hand.
final class VirtualWallClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }
    func now() -> Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
