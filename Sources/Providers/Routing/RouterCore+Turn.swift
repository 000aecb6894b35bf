import Foundation
import Transport

/// One turn's plan, kept by the router while it answers one request and changed only by `RouterCore`:
/// who was tried, retries per provider, who missed a deadline, and the turn's time limits. Times are
/// durations since the turn started, so tests run a whole turn on a virtual clock.
public struct TurnState: Sendable, Equatable {
    /// The whole turn's time budget; no retry wait may run past it.
    public let budget: Duration
    /// A backup is asked no later than this after the turn starts (nil: no such rule).
    public let askBackupBy: Duration?
    /// Rough size of the request, for limit checks.
    public let estimatedTokens: Int
    /// Providers out of this turn: failed, excluded by an error's kind, or past their deadline.
    public internal(set) var tried: Set<String> = []
    /// Providers that missed a first-token deadline in this turn: never retried in it.
    public internal(set) var missedDeadline: Set<String> = []
    public internal(set) var retries: [String: Int] = [:]
    /// Some output already reached the caller (later attempts continue it; no hedges, no backups).
    public internal(set) var outputStarted = false

    public init(budget: Duration, askBackupBy: Duration?, estimatedTokens: Int) {
        self.budget = budget
        self.askBackupBy = askBackupBy
        self.estimatedTokens = estimatedTokens
    }
}

/// How one racer of an attempt ended (what `AttemptRace` reports).
public enum AttemptOutcome: Sendable {
    /// The racer finished its stream as the winner.
    case completed(name: String, ttft: Duration?, tokens: Int, costUSD: Double?)
    /// It failed; `afterOutput` says whether the caller had already received output from it.
    case failed(name: String, error: ProviderError, afterOutput: Bool)
    /// Cancelled because another racer won, or the caller went away.
    case cancelled(name: String)
    /// A delayed racer that never started because output arrived first (or it was stood down).
    case notStarted(name: String)
}

/// A second provider raced against the chosen one, started after `delay` unless output came first.
public struct AttemptPartner: Sendable, Equatable {
    public enum Role: Sendable, Equatable {
        /// Hedging (opt-in, within the hedge budget): starts early if the chosen provider fails, and a
        /// chosen provider that loses the race is not blamed.
        case hedge
        /// The turn's first-token deadline: the chosen provider may still answer (e.g. OpenRouter still
        /// rotating models), but the caller must not wait longer for someone to be asked. Stood down if
        /// the chosen provider fails first, so the usual retry rules apply; a chosen provider that loses
        /// to it missed the deadline.
        case backup
    }
    public var name: String
    public var delay: Duration
    public var role: Role
}

/// What the router does after an attempt.
public enum RouterDecision: Sendable, Equatable {
    /// The answer is complete.
    case serve(provider: String, ttft: Duration?)
    /// Try the same provider again after waiting this long.
    case retry(after: Duration)
    /// Move on: `failed` is out of this turn (so is everything in `TurnState.tried`).
    case next(failed: String, reason: String)
}

extension RouterCore {
    /// Starts a turn: refills the hedge budget and fixes the turn's limits.
    public mutating func beginTurn(budget: Duration, estimatedTokens: Int) -> TurnState {
        if let hedge { hedgeTokens = min(2, hedgeTokens + hedge.maximumShare) }
        return TurnState(budget: budget, askBackupBy: firstTokenDeadline, estimatedTokens: estimatedTokens)
    }

    /// Eligible providers for the turn's next attempt, in routing order, plus why others were skipped.
    public func candidates(for turn: TurnState, now: Date) -> (eligible: [String], skipped: [(provider: String, reason: String)]) {
        plan(now: now, estimatedTokens: turn.estimatedTokens, excluding: turn.tried)
    }

    /// How long `provider` may stay silent in an attempt starting `elapsed` into the turn: its own
    /// first-token deadline, cut to what is left of the turn. nil: no limit.
    public func firstTokenDeadline(for provider: String, in turn: TurnState, elapsed: Duration) -> Duration? {
        let own = providers[provider]?.policy.firstTokenDeadline
        let left = max(.zero, turn.budget - elapsed)
        return own.map { min($0, left) } ?? (providers[provider]?.policy.isLastResort == true ? nil : left)
    }

    /// A primary whose own first-token deadline ends within this of the turn's is left to time out by
    /// itself: a few milliseconds of scheduling are not worth a second request.
    public static let backupSlack = Duration.milliseconds(100)

    /// The provider to race against `primary` in an attempt starting `elapsed` into the turn, if any:
    /// a hedge when hedging is on and budgeted (after max(minimum delay, primary's p90 TTFT)), or a
    /// backup when the primary's own first-token deadline ends after the turn's (it starts at the
    /// turn's deadline). Admits the partner (limits and breaker count it). Never the last resort.
    public mutating func partner(for primary: String, turn: TurnState, elapsed: Duration, now: Date) -> AttemptPartner? {
        guard !turn.outputStarted, let primaryHealth = providers[primary], !primaryHealth.policy.isLastResort else { return nil }
        var role: AttemptPartner.Role?
        var delay = Duration.zero
        if let hedge, hedgeTokens >= 1 {
            role = .hedge
            delay = max(hedge.minimumDelay, primaryHealth.ttft.percentile(0.9) ?? .zero)
        }
        if let askBy = turn.askBackupBy {
            let backupIn = max(.zero, askBy - elapsed)
            let primaryLimit = firstTokenDeadline(for: primary, in: turn, elapsed: elapsed)
            if primaryLimit.map({ $0 > backupIn + Self.backupSlack }) ?? true, role == nil || backupIn < delay {
                if role == nil { role = .backup }
                delay = backupIn
            }
        }
        guard let role,
              let name = candidates(for: turn, now: now).eligible.first(where: {
                  $0 != primary && providers[$0]?.policy.isLastResort == false
              }),
              admit(name, now: now, estimatedTokens: 0)
        else { return nil }
        if role == .hedge { hedgeTokens -= 1 }
        return AttemptPartner(name: name, delay: delay, role: role)
    }

    /// Absorbs how each racer of an attempt ended and decides what the router does next.
    ///
    /// - `unit`: a number in [0, 1) for the backoff's jitter (the caller's seeded or system random).
    /// Rules: a mid-answer failure moves on (the next provider continues the answer); a missed
    /// first-token deadline moves on and the provider is not retried in this turn; a bad request
    /// skips every remote; a context-length error skips providers no larger; a retryable failure
    /// (rate limit, server, network, garbage) is retried with backoff or Retry-After while the wait
    /// fits the turn, unless another remote could answer now (Retry-After) or the wait would pass the
    /// turn's first-token deadline with another remote waiting.
    public mutating func finish(_ outcomes: [AttemptOutcome], primary: String, partner: AttemptPartner?,
                                turn: inout TurnState, elapsed: Duration, now: Date, unit: Double) -> RouterDecision {
        var served: (name: String, ttft: Duration?)?
        for case .completed(let name, let ttft, _, _) in outcomes { served = (name, ttft) }
        var primaryError: ProviderError?
        var midStream: (name: String, error: ProviderError)?
        // Every outcome is absorbed, the losers' too: their `.cancelled`/`.notStarted` release half-open probes.
        for outcome in outcomes {
            switch outcome {
            case .completed(let name, let ttft, let tokens, let cost):
                handle(.succeeded(provider: name, ttft: ttft, tokens: tokens, costUSD: cost), now: now)
            case .failed(let name, let error, let afterOutput):
                handle(.failed(provider: name, error: error), now: now)
                if afterOutput { midStream = (name, error) }
                if name == primary { primaryError = error }
                if error.kind == .timeout, !afterOutput { turn.missedDeadline.insert(name) }
            case .cancelled(let name):
                if name == primary, let partner, partner.role == .backup, served?.name == partner.name {
                    // The backup answered first because this provider was still silent at the turn's deadline.
                    let deadline = turn.askBackupBy ?? .zero
                    handle(.failed(provider: name, error: ProviderError(
                        .timeout, "no output within the turn's first-token deadline of \(deadline)", provider: name)), now: now)
                    turn.missedDeadline.insert(name)
                } else {
                    handle(.cancelled(provider: name), now: now)
                }
            case .notStarted(let name):
                // The partner was admitted up front, which may have taken its half-open probe: hand it
                // back. A backup that was never needed also gets its request slot back.
                handle(.cancelled(provider: name), now: now)
                if partner?.role == .backup { update(name) { $0.usage.refundRequest() } }
            }
        }
        turn.tried.formUnion(turn.missedDeadline)
        if let served { return .serve(provider: served.name, ttft: served.ttft) }

        // A backup that never started (it stood down, or output came first) is still free for this turn.
        var racers = Set([primary] + (partner.map { [$0.name] } ?? []))
        if let partner, partner.role == .backup,
           outcomes.contains(where: { if case .notStarted(partner.name) = $0 { true } else { false } }) {
            racers.remove(partner.name)
        }
        if let midStream {
            turn.outputStarted = true
            turn.tried.formUnion(racers)
            return .next(failed: midStream.name, reason: "\(midStream.error.kind.rawValue) mid-answer")
        }
        let partnerNames = racers.subtracting([primary])
        func moveOn(_ reason: String, excluding: Set<String> = partnerNames) -> RouterDecision {
            turn.tried.formUnion(excluding)
            turn.tried.insert(primary)
            return .next(failed: primary, reason: reason)
        }
        guard let error = primaryError else { return moveOn("no answer") }
        switch error.kind {
        case .badRequest:
            // The request is at fault: another remote provider would refuse it too. Go to the last resort.
            return moveOn("bad request", excluding: Set(configuredOrder.filter { providers[$0]?.policy.isLastResort == false }))
        case .contextLength:
            let limit = providers[primary]?.policy.contextTokens ?? 0
            let tooSmall = configuredOrder.filter {
                guard let policy = providers[$0]?.policy, !policy.isLastResort else { return false }
                return (policy.contextTokens ?? Int.max) <= limit
            }
            return moveOn("context too long", excluding: Set(tooSmall).union(partnerNames))
        case .rateLimited, .server, .network, .malformedResponse:
            if let wait = retryWait(primary, after: error, turn: turn, elapsed: elapsed, now: now, unit: unit) {
                turn.retries[primary, default: 0] += 1
                return .retry(after: wait)
            }
        default:
            // `.timeout` lands here: a provider that just missed its deadline is not retried in this turn.
            break
        }
        return moveOn(error.kind.rawValue)
    }

    /// How long to wait before retrying `name`, or nil when it should not be retried now.
    func retryWait(_ name: String, after error: ProviderError, turn: TurnState, elapsed: Duration, now: Date,
                   unit: Double) -> Duration? {
        guard let policy = providers[name]?.policy, !policy.isLastResort,
              turn.retries[name, default: 0] < policy.maxRetries, !turn.missedDeadline.contains(name) else { return nil }
        let wait = max(policy.backoff.delay(attempt: turn.retries[name, default: 0] + 1, unit: unit), error.retryAfter ?? .zero)
        var others = turn
        others.tried.insert(name)
        let otherRemote = candidates(for: others, now: now).eligible.contains { providers[$0]?.policy.isLastResort == false }
        if error.retryAfter != nil, otherRemote { return nil }  // someone else can answer now: don't wait
        if elapsed + wait > turn.budget { return nil }
        if otherRemote, !turn.outputStarted, let askBy = turn.askBackupBy, elapsed + wait > askBy { return nil }
        return wait
    }
}
