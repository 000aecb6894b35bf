import Foundation
import Providers
import TestSupport
import Testing
import Transport

/// The router's per-turn decisions (retry, exclusion, hedging, the backup deadline) on a virtual clock:
/// `TurnSimulator` plays scripted providers against `RouterCore` the way `FallbackRouter` and
/// `AttemptRace` do, with exact instants and no sleeps. Issue 10's dead-air defect is the first case.
@Suite("RouterCore turns (virtual clock)")
struct RouterTurnTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// The default chain's policies as `LLMChainBuilder` sets them: OpenRouter 4 s, the others 2 s, one retry.
    static func defaultChain(hedge: HedgePolicy? = nil) -> RouterCore {
        var openRouter = ProviderPolicy(priority: 0)
        openRouter.firstTokenDeadline = .seconds(4)
        return RouterCore(members: [(name: "openrouter", policy: openRouter), (name: "openai", policy: ProviderPolicy(priority: 1)),
                                    (name: "local", policy: .lastResort)], hedge: hedge)
    }

    // MARK: Dead air under a stalled primary (issue 10)

    /// OpenRouter keeps its stream open with keep-alives and never answers. Before the fix the router
    /// waited for OpenRouter's 4 s deadline, retried it for another 4 s, and asked OpenAI at 8.2 s.
    @Test func defaultChainAsksTheBackupAtTheTurnsFirstTokenDeadline() {
        var core = Self.defaultChain()
        #expect(core.firstTokenDeadline == .seconds(2), "the chain's shortest remote deadline")
        let turn = TurnSimulator.run(&core, now: Self.t0, behaviour: [
            "openrouter": .stall, "openai": .answer(ttft: .milliseconds(300)),
        ])
        #expect(turn.servedBy == "openai")
        #expect(turn.asked.map(\.name) == ["openrouter", "openai"], "OpenRouter is asked once: \(turn.asked)")
        #expect(turn.asked[1].at == .seconds(2), "the backup is asked at the 2 s first-token deadline")
        #expect(turn.firstOutput == .milliseconds(2300), "dead air = 2 s + the backup's own TTFT")
        #expect(turn.firstOutput! <= .milliseconds(2500))
        // The stalled provider missed the turn's deadline: it is blamed (the breaker counts it) and out of the turn.
        #expect(core.health("openrouter")?.lastError?.hasPrefix("timeout") == true)
        #expect(core.health("openrouter")?.breaker.consecutiveFailures == 1)
        #expect(turn.state.missedDeadline == ["openrouter"])
    }

    /// `bulletproof`: the hedge starts after max(400 ms, p90) and wins.
    @Test func bulletproofChainHedgesAfterFourHundredMilliseconds() {
        var core = Self.defaultChain(hedge: HedgePolicy())
        let turn = TurnSimulator.run(&core, now: Self.t0, behaviour: [
            "openrouter": .stall, "openai": .answer(ttft: .milliseconds(300)),
        ])
        #expect(turn.servedBy == "openai")
        #expect(turn.asked.map(\.at) == [.zero, .milliseconds(400)])
        #expect(turn.firstOutput == .milliseconds(700))
        #expect(turn.firstOutput! <= .milliseconds(1200))
        #expect(core.health("openrouter")?.breaker.consecutiveFailures == 0, "a lost hedge is not blamed")
    }

    /// With hedging on but its budget spent, the backup rule still holds: asked at 2 s.
    @Test func spentHedgeBudgetFallsBackToTheBackupDeadline() {
        var core = Self.defaultChain(hedge: HedgePolicy(maximumShare: 0.1))
        _ = TurnSimulator.run(&core, now: Self.t0, behaviour: ["openrouter": .answer(ttft: .milliseconds(100))])
        let turn = TurnSimulator.run(&core, now: Self.t0, behaviour: [
            "openrouter": .stall, "openai": .answer(ttft: .milliseconds(300)),
        ])
        #expect(turn.asked.map(\.at) == [.zero, .seconds(2)])
    }

    /// A provider that missed its first-token deadline is not retried in the same turn, though it has a retry.
    @Test func missedDeadlineIsNotRetried() {
        var core = RouterCore(members: [(name: "a", policy: ProviderPolicy(maxRetries: 2)), (name: "local", policy: .lastResort)])
        let turn = TurnSimulator.run(&core, now: Self.t0, behaviour: ["a": .stall])
        #expect(turn.asked.map(\.name) == ["a", "local"])
        #expect(turn.asked[1].at == .seconds(2))
        #expect(turn.decisions.first == .next(failed: "a", reason: "timeout"))
    }

    /// Retryable errors are still retried with backoff; the jitter unit is the caller's.
    @Test func serverErrorIsRetriedWithBackoffWithinTheBackupDeadline() {
        var core = Self.defaultChain()
        let turn = TurnSimulator.run(&core, now: Self.t0, behaviour: [
            "openrouter": .script([.fail(.server, after: .milliseconds(100)), .answer(ttft: .milliseconds(200))]),
        ], unit: 0.5)
        #expect(turn.servedBy == "openrouter")
        #expect(turn.decisions.first == .retry(after: .milliseconds(200)))
        #expect(turn.asked.map(\.at) == [.zero, .milliseconds(300)])
        #expect(turn.firstOutput == .milliseconds(500))
    }

    /// A backoff that would carry the wait past the turn's first-token deadline moves on instead, so the
    /// caller never waits longer than the deadline for someone else to be asked.
    @Test func retryWaitPastTheBackupDeadlineMovesOn() {
        var core = Self.defaultChain()
        let turn = TurnSimulator.run(&core, now: Self.t0, behaviour: [
            "openrouter": .fail(.server, after: .milliseconds(1900)), "openai": .answer(ttft: .milliseconds(300)),
        ], unit: 0.5)
        #expect(turn.decisions.first == .next(failed: "openrouter", reason: "server"))
        #expect(turn.asked.map(\.at) == [.zero, .milliseconds(1900)])
    }

    /// The backup stands down when the primary fails before the deadline, so the retry rules decide.
    @Test func backupStandsDownWhenThePrimaryFailsFirstAndGetsItsSlotBack() {
        var core = Self.defaultChain()
        let turn = TurnSimulator.run(&core, now: Self.t0, behaviour: [
            "openrouter": .script([.fail(.network, after: .milliseconds(50)), .answer(ttft: .milliseconds(100))]),
            "openai": .answer(ttft: .milliseconds(10)),
        ], unit: 0)
        #expect(turn.servedBy == "openrouter")
        #expect(turn.asked.map(\.name) == ["openrouter", "openrouter"])
        #expect(core.health("openai", now: Self.t0)?.usage.requestsToday == 0, "the unused backup's request slot is refunded")
    }

    // MARK: Properties over random chains

    /// Over seeded random chains and behaviours: a second provider is asked no later than the turn's
    /// first-token deadline whenever no output came by then, a provider that missed a deadline is never
    /// asked again in the turn, and every turn is answered.
    @Test func backupIsNeverLaterThanTheFirstTokenDeadline() {
        var random = SplitMix64(seed: 0x5EED_0010)
        for round in 0..<500 {
            let names = ["a", "b", "c"]
            var members: [(name: String, policy: ProviderPolicy)] = []
            var behaviour: [String: TurnSimulator.Behaviour] = [:]
            for (index, name) in names.enumerated() {
                var policy = ProviderPolicy(priority: index, maxRetries: Int.random(in: 0...2, using: &random))
                policy.firstTokenDeadline = .milliseconds(Int.random(in: 1...5, using: &random) * 1000)
                members.append((name, policy))
                behaviour[name] = switch Int.random(in: 0..<4, using: &random) {
                case 0: .stall
                case 1: .answer(ttft: .milliseconds(Int.random(in: 50...6000, using: &random)))
                case 2: .fail([ErrorClass.server, .network, .rateLimited].randomElement(using: &random)!,
                              after: .milliseconds(Int.random(in: 10...3000, using: &random)))
                default: .script([.fail(.server, after: .milliseconds(Int.random(in: 10...1000, using: &random))),
                                  .answer(ttft: .milliseconds(Int.random(in: 50...3000, using: &random)))])
                }
            }
            let hedge: HedgePolicy? = Bool.random(using: &random) ? HedgePolicy(maximumShare: 1) : nil
            var core = RouterCore(members: members + [(name: "local", policy: .lastResort)], hedge: hedge)
            let deadline = core.firstTokenDeadline!
            let turn = TurnSimulator.run(&core, now: Self.t0, behaviour: behaviour, unit: Double.random(in: 0..<1, using: &random))
            let context = "round \(round): \(behaviour) → \(turn.asked)"
            #expect(turn.servedBy != nil, "\(context)")
            if (turn.firstOutput ?? .seconds(999)) > deadline {
                let second = turn.asked.first { $0.name != turn.asked[0].name }
                #expect(second.map { $0.at <= deadline } == true, "\(context)")
            }
            #expect(turn.askedAfterMissingADeadline.isEmpty, "\(context)")
        }
    }
}

/// Plays one turn of `RouterCore` decisions against scripted providers on a virtual clock, racing a
/// partner the way `AttemptRace` does: the first output wins; a hedge starts early when the primary
/// fails, a backup stands down then; a provider fails with `.timeout` at its first-token deadline.
enum TurnSimulator {
    indirect enum Behaviour: Sendable, CustomStringConvertible {
        /// Keep-alives, never a token.
        case stall
        case answer(ttft: Duration)
        case fail(ErrorClass, after: Duration)
        /// One behaviour per call, the last one repeating.
        case script([Behaviour])

        var description: String {
            switch self {
            case .stall: "stall"
            case .answer(let ttft): "answer(\(ttft))"
            case .fail(let kind, let after): "fail(\(kind.rawValue), \(after))"
            case .script(let steps): "\(steps)"
            }
        }
    }

    struct Turn {
        var asked: [(name: String, at: Duration)] = []
        var decisions: [RouterDecision] = []
        var servedBy: String?
        var firstOutput: Duration?
        var state: TurnState
        /// Providers asked again in the turn after they missed a first-token deadline in it (must stay empty).
        var askedAfterMissingADeadline: [String] = []

        mutating func ask(_ name: String, at: Duration) {
            if state.missedDeadline.contains(name) { askedAfterMissingADeadline.append(name) }
            asked.append((name, at))
        }
    }

    /// How a provider's call ends, `start` into the turn: output at an instant, or a failure at one.
    private enum End { case output(Duration), failure(Duration, ErrorClass) }

    static func run(_ core: inout RouterCore, now: Date, behaviour: [String: Behaviour], unit: Double = 0.5,
                    budget: Duration = .seconds(20)) -> Turn {
        var result = Turn(state: core.beginTurn(budget: budget, estimatedTokens: 10))
        var calls: [String: Int] = [:]
        var elapsed = Duration.zero
        func end(_ name: String, start: Duration, turn: TurnState) -> End {
            let step = behaviour[name].map { Self.current($0, call: calls[name, default: 0]) }
            calls[name, default: 0] += 1
            guard let step else { return .output(start) }  // the local last resort answers at once
            let limit = core.firstTokenDeadline(for: name, in: turn, elapsed: start).map { start + $0 }
            switch step {
            case .answer(let ttft) where limit.map({ start + ttft <= $0 }) ?? true: return .output(start + ttft)
            case .fail(let kind, let after) where limit.map({ start + after < $0 }) ?? true: return .failure(start + after, kind)
            default: return .failure(limit ?? budget, .timeout)
            }
        }
        for _ in 0..<50 {
            let at = now.addingTimeInterval(elapsed.seconds)
            guard let primary = core.candidates(for: result.state, now: at).eligible.first,
                  core.admit(primary, now: at, estimatedTokens: 10) else { return result }
            result.ask(primary, at: elapsed)
            let partner = core.partner(for: primary, turn: result.state, elapsed: elapsed, now: at)
            let primaryEnd = end(primary, start: elapsed, turn: result.state)
            var outcomes: [AttemptOutcome] = []
            var finished: Duration
            switch (primaryEnd, partner) {
            case (.output(let t), nil):
                outcomes = [.completed(name: primary, ttft: t, tokens: 10, costUSD: nil)]
                finished = t
            case (.failure(let t, let kind), nil):
                outcomes = [.failed(name: primary, error: ProviderError(kind, "scripted", provider: primary), afterOutput: false)]
                finished = t
            case (_, let partner?):
                var partnerStart = elapsed + partner.delay
                var partnerRuns = true
                switch primaryEnd {
                case .output(let t) where t <= partnerStart: partnerRuns = false
                case .failure(let t, _) where t < partnerStart:
                    if partner.role == .hedge { partnerStart = t } else { partnerRuns = false }
                default: break
                }
                guard partnerRuns else {
                    if case .output(let t) = primaryEnd {
                        outcomes = [.completed(name: primary, ttft: t, tokens: 10, costUSD: nil), .notStarted(name: partner.name)]
                        finished = t
                    } else if case .failure(let t, let kind) = primaryEnd {
                        outcomes = [.failed(name: primary, error: ProviderError(kind, "scripted", provider: primary), afterOutput: false),
                                    .notStarted(name: partner.name)]
                        finished = t
                    } else { finished = elapsed }
                    break
                }
                result.ask(partner.name, at: partnerStart)
                let partnerEnd = end(partner.name, start: partnerStart, turn: result.state)
                (outcomes, finished) = race((primary, primaryEnd), (partner.name, partnerEnd))
            }
            if result.firstOutput == nil, case .completed(_, let ttft?, _, _) = outcomes.first { result.firstOutput = ttft }
            elapsed = finished
            let decision = core.finish(outcomes, primary: primary, partner: partner, turn: &result.state, elapsed: elapsed,
                                       now: now.addingTimeInterval(elapsed.seconds), unit: unit)
            result.decisions.append(decision)
            switch decision {
            case .serve(let name, _):
                result.servedBy = name
                return result
            case .retry(let wait): elapsed += wait
            case .next: break
            }
        }
        return result
    }

    private static func current(_ behaviour: Behaviour, call: Int) -> Behaviour {
        guard case .script(let steps) = behaviour, let last = steps.last else { return behaviour }
        return call < steps.count ? steps[call] : last
    }

    /// Two racers: the first output wins and the other is cancelled; failures wait for the other.
    private static func race(_ a: (String, End), _ b: (String, End)) -> ([AttemptOutcome], Duration) {
        func outputTime(_ end: End) -> Duration? { if case .output(let t) = end { t } else { nil } }
        let winner = [a, b].filter { outputTime($0.1) != nil }.min { outputTime($0.1)! < outputTime($1.1)! }
        if let winner, let t = outputTime(winner.1) {
            let loser = winner.0 == a.0 ? b : a
            var outcomes: [AttemptOutcome] = [.completed(name: winner.0, ttft: t, tokens: 10, costUSD: nil)]
            if case .failure(let lt, let kind) = loser.1, lt < t {
                outcomes.append(.failed(name: loser.0, error: ProviderError(kind, "scripted", provider: loser.0), afterOutput: false))
            } else {
                outcomes.append(.cancelled(name: loser.0))
            }
            return (outcomes, t)
        }
        var outcomes: [AttemptOutcome] = []
        var finished = Duration.zero
        for (name, end) in [a, b] {
            if case .failure(let t, let kind) = end {
                outcomes.append(.failed(name: name, error: ProviderError(kind, "scripted", provider: name), afterOutput: false))
                finished = max(finished, t)
            }
        }
        return (outcomes, finished)
    }
}
