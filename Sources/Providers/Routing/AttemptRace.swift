import Foundation
import Synchronization

/// Runs one attempt, or several when hedging, on the same request: each racer streams under its
/// deadlines; the first racer to produce output wins and alone forwards events to the caller;
/// the others are cancelled. Deadline failures become `ProviderError(.timeout)`.
struct AttemptRace<Capability: RoutedCapability>: Sendable {
    struct Racer: Sendable {
        var name: String
        var service: Capability.Service
        var policy: ProviderPolicy
        /// nil: start at once. Otherwise start after this delay, and only if nobody has output yet.
        var startDelay: Duration?
        /// For a delayed racer: a hedge starts early when another racer fails first; a backup stands
        /// down then (the router's retry rules decide), and announces itself as a switch from `replacing`.
        var role: AttemptPartner.Role? = nil
        var replacing: String? = nil
    }

    typealias Outcome = AttemptOutcome

    /// Shared between racers: who won, and the splicer that joins the winner's events onto
    /// what earlier attempts delivered.
    final class Shared: Sendable {
        struct State {
            var winner: String?
            /// A racer failed before any output: a waiting backup does not start.
            var backupStoodDown = false
            var splicer: Capability.Splicer
            var delivered: [Capability.Event]
        }
        let state: Mutex<State>
        let output: AsyncThrowingStream<RoutedEvent<Capability.Event>, any Error>.Continuation
        /// Finished when a racer fails before any output: delayed hedges then start at once instead
        /// of sleeping out their delay while nobody is working on the answer.
        let hedgeWake = AsyncStream<Void>.makeStream()

        init(splicer: Capability.Splicer, output: AsyncThrowingStream<RoutedEvent<Capability.Event>, any Error>.Continuation) {
            state = Mutex(State(winner: nil, splicer: splicer, delivered: []))
            self.output = output
        }

        /// Waits `delay`, or less if `wakeHedges()` is called (or the task is cancelled) first.
        /// At most one racer may wait at a time (an `AsyncStream` has one consumer); the router adds one hedge.
        func hedgeDelay(_ delay: Duration) async {
            let wake = hedgeWake.stream
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(for: delay) }
                group.addTask { for await _ in wake {} }
                await group.next()
                group.cancelAll()
            }
        }

        /// A racer failed before any output: hedges start now, backups stand down.
        func wakeHedges() {
            state.withLock { $0.backupStoodDown = true }
            hedgeWake.continuation.finish()
        }

        var backupStoodDown: Bool { state.withLock { $0.backupStoodDown } }

        /// Claims the win for `name`; true when it is (or already was) the winner.
        func claim(_ name: String) -> Bool {
            state.withLock { state in
                if state.winner == nil { state.winner = name }
                return state.winner == name
            }
        }

        var hasWinner: Bool { state.withLock { $0.winner != nil } }

        /// Passes events through the splicer to the caller and remembers what was delivered.
        func forward(_ events: [Capability.Event]) {
            let out: [Capability.Event] = state.withLock { state in
                var out: [Capability.Event] = []
                for event in events { out += state.splicer.accept(event) }
                state.delivered += out
                return out
            }
            for event in out { output.yield(.event(event)) }
        }

        func finishSplice() {
            let out = state.withLock { state in
                let out = state.splicer.finish()
                state.delivered += out
                return out
            }
            for event in out { output.yield(.event(event)) }
        }

        var delivered: [Capability.Event] { state.withLock { $0.delivered } }
    }

    /// Per-racer progress, read by its watchdog.
    final class Progress: Sendable {
        struct State {
            var lastEvent: ContinuousClock.Instant
            var firstOutput: ContinuousClock.Instant?
            /// The winner delivered its terminal event: the answer is complete whatever happens next.
            var deliveredTerminal = false
            var tokens = 0
            var cost: Double?
        }
        let state: Mutex<State>
        /// Finished at the first output, so the watchdog re-arms for the idle timeout right away.
        let firstOutputSignal = AsyncStream<Void>.makeStream()
        init(start: ContinuousClock.Instant) { state = Mutex(State(lastEvent: start)) }
    }

    let racers: [Racer]
    let shared: Shared
    let requestStart: ContinuousClock.Instant
    /// The turn's deadline; no attempt runs past it.
    let deadline: ContinuousClock.Instant?

    func run(_ request: Capability.Request) async -> [Outcome] {
        await withTaskGroup(of: Outcome.self) { group in
            for racer in racers {
                group.addTask { await self.runRacer(racer, request) }
            }
            var outcomes: [Outcome] = []
            for await outcome in group {
                outcomes.append(outcome)
                switch outcome {
                case .completed(let name, _, _, _), .failed(let name, _, true):
                    // The winner is done, one way or the other: nobody else may continue.
                    if shared.state.withLock({ $0.winner }) == name { group.cancelAll() }
                case .failed(_, _, false):
                    // A racer failed before saying anything: a waiting hedge should not wait any longer.
                    shared.wakeHedges()
                default:
                    break
                }
            }
            return outcomes
        }
    }

    private func runRacer(_ racer: Racer, _ request: Capability.Request) async -> Outcome {
        if let delay = racer.startDelay {
            await shared.hedgeDelay(delay)
            if Task.isCancelled || shared.hasWinner || (racer.role == .backup && shared.backupStoodDown) {
                return .notStarted(name: racer.name)
            }
            if racer.role == .backup, let primary = racer.replacing {
                shared.output.yield(.switched(from: primary, to: racer.name, reason: "no output within the first-token deadline"))
            }
            let model = await Capability.model(of: racer.service)
            shared.output.yield(.attempt(provider: racer.name, model: model))
        }
        let start = ContinuousClock.now
        let progress = Progress(start: start)
        let stream = Capability.start(racer.service, request)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.consume(stream, racer: racer, progress: progress) }
                group.addTask { try await self.watch(racer: racer, progress: progress, start: start) }
                // Whichever ends first decides: the stream finishing, or a deadline firing.
                try await group.next()
                group.cancelAll()
            }
        } catch let error as ProviderError where error.kind != .cancelled
                    && !progress.state.withLock({ $0.deliveredTerminal }) {
            return .failed(name: racer.name, error: error, afterOutput: shared.state.withLock { $0.winner } == racer.name
                           && progress.state.withLock { $0.firstOutput } != nil)
        } catch where progress.state.withLock({ $0.deliveredTerminal }) && !Task.isCancelled {
            // A deadline or a cut after the final event: the caller already has the whole answer.
        } catch {
            if Task.isCancelled || error is LostRace || (error as? ProviderError)?.kind == .cancelled {
                return .cancelled(name: racer.name)
            }
            let wrapped = ProviderError(.network, "\(error)", provider: racer.name)
            return .failed(name: racer.name, error: wrapped, afterOutput: progress.state.withLock { $0.firstOutput } != nil)
        }
        if Task.isCancelled { return .cancelled(name: racer.name) }
        // The stream ended. A racer with no output at all (an empty answer) still wins if nobody else did.
        guard shared.claim(racer.name) else { return .cancelled(name: racer.name) }
        let (first, tokens, cost) = progress.state.withLock { ($0.firstOutput, $0.tokens, $0.cost) }
        return .completed(name: racer.name, ttft: first.map { $0 - requestStart }, tokens: tokens, costUSD: cost)
    }

    private struct LostRace: Error {}

    private func consume(_ stream: AsyncThrowingStream<Capability.Event, any Error>, racer: Racer,
                         progress: Progress) async throws {
        var buffered: [Capability.Event] = []
        var winning = false
        for try await event in stream {
            let now = ContinuousClock.now
            progress.state.withLock { state in
                state.lastEvent = now
                if let usage = Capability.usage(in: event) {
                    state.tokens += usage.tokens
                    if let cost = usage.costUSD { state.cost = (state.cost ?? 0) + cost }
                }
            }
            if winning {
                shared.forward([event])
                if Capability.isTerminal(event) {
                    // Complete: stop here rather than wait for the transport to close (a deadline
                    // firing in between must not turn a whole answer into a failure).
                    progress.state.withLock { $0.deliveredTerminal = true }
                    break
                }
                continue
            }
            guard Capability.isOutput(event) else {
                buffered.append(event)
                continue
            }
            guard shared.claim(racer.name) else { throw LostRace() }
            winning = true
            progress.state.withLock { $0.firstOutput = now }
            progress.firstOutputSignal.continuation.finish()
            shared.forward(buffered + [event])
            buffered.removeAll()
        }
        if !winning, shared.claim(racer.name) {
            shared.forward(buffered)
            if buffered.contains(where: Capability.isTerminal) { progress.state.withLock { $0.deliveredTerminal = true } }
        }
        shared.finishSplice()
    }

    /// Throws `.timeout` when the first-token deadline, the idle timeout, the request timeout or
    /// the turn deadline passes. Sleeps until the nearest one; never polls.
    private func watch(racer: Racer, progress: Progress, start: ContinuousClock.Instant) async throws {
        while true {
            let (last, first) = progress.state.withLock { ($0.lastEvent, $0.firstOutput) }
            var limits: [(ContinuousClock.Instant, String)] = []
            if first == nil, let deadline = racer.policy.firstTokenDeadline {
                limits.append((start + deadline, "no output within the first-token deadline of \(deadline)"))
            }
            if first != nil, let idle = racer.policy.idleTimeout {
                limits.append((last + idle, "stream stalled for \(idle)"))
            }
            if let timeout = racer.policy.requestTimeout { limits.append((start + timeout, "request took longer than \(timeout)")) }
            if let deadline { limits.append((deadline, "the turn's time budget ran out")) }
            // No limit yet (e.g. no first-token deadline but an idle timeout): wait for the first output.
            let nearest = limits.min(by: { $0.0 < $1.0 }) ?? (ContinuousClock.now + .seconds(3600), "")
            if !nearest.1.isEmpty, ContinuousClock.now >= nearest.0 {
                throw ProviderError(.timeout, nearest.1, provider: racer.name)
            }
            guard first == nil else {
                try await Task.sleep(until: nearest.0, clock: .continuous)
                continue
            }
            // Before the first output the limits change when it arrives (the idle timeout replaces the
            // first-token deadline, and may be much sooner): wake then too, not only at `nearest`.
            let signal = progress.firstOutputSignal.stream
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(until: nearest.0, clock: .continuous) }
                group.addTask { for await _ in signal {} }
                await group.next()
                group.cancelAll()
            }
            try Task.checkCancellation()
        }
    }
}
