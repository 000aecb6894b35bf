import Foundation
import Logging

/// An ordered chain of providers that answers every request it can: retries with backoff,
/// Retry-After within the turn's budget, first-token deadlines, a circuit breaker per provider,
/// request/token/spend limits checked before calling, optional hedging, and continuation on the
/// next provider when one fails mid-answer. Chains end in a local last resort, so a caller is
/// never left without an answer.
///
/// Decisions live in the sans-IO `RouterCore`; this actor only runs attempts and feeds it.
public actor FallbackRouter<Capability: RoutedCapability> {
    public nonisolated let chainName: String
    private let members: [String: ChainMember<Capability>]
    private var core: RouterCore
    private let logger: Logger
    private let wallClock: @Sendable () -> Date
    private let turnBudget: Duration
    private let cache: ResponseCache<Capability.Event>?
    private let rateLimits: RateLimitLedger?
    private let availabilityContinuation: AsyncStream<RouterCore.Output>.Continuation
    /// Availability changes of every provider, as they happen (also logged).
    public nonisolated let availabilityChanges: AsyncStream<RouterCore.Output>
    /// The provider that served the latest answer.
    public private(set) var currentProvider: String?
    public private(set) var stats = RouterStats()
    private var metrics: RouterMetrics

    public init(name: String, members: [ChainMember<Capability>], hedge: HedgePolicy? = nil,
                turnBudget: Duration = .seconds(20), cache: ResponseCache<Capability.Event>? = nil,
                rateLimits: RateLimitLedger? = nil, logger: Logger = Logger(label: "steadfast.router"),
                wallClock: @escaping @Sendable () -> Date = { Date() }) {
        chainName = name
        self.members = Dictionary(members.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        core = RouterCore(members: members.map { (name: $0.name, policy: $0.policy) }, hedge: hedge)
        self.logger = logger
        self.wallClock = wallClock
        self.turnBudget = turnBudget
        self.cache = cache
        self.rateLimits = rateLimits
        (availabilityChanges, availabilityContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(100))
        metrics = RouterMetrics(kind: Capability.kind, providers: members.map(\.name))
    }

    /// Streams one answer with routing events. Cancel the consuming task to abandon it (barge-in):
    /// in-flight attempts stop and no provider is blamed.
    public nonisolated func stream(_ request: Capability.Request) -> AsyncThrowingStream<RoutedEvent<Capability.Event>, any Error> {
        let (stream, output) = AsyncThrowingStream<RoutedEvent<Capability.Event>, any Error>.makeStream()
        // Unstructured because the stream outlives this call; the consumer cancels it through onTermination.
        let task = Task { await self.route(request, output: output) }
        output.onTermination = { _ in task.cancel() }
        return stream
    }

    /// The router's view of one provider (for tests and status).
    public func health(_ name: String) -> ProviderHealth? { core.health(name, now: wallClock()) }

    /// Routing order.
    public var order: [String] { core.order }

    func wallClockNow() -> Date { wallClock() }

    func service(named name: String) -> Capability.Service? { members[name]?.service }

    /// Makes `name` the primary provider from the next request on (nil: back to the configured order).
    public func prefer(_ name: String?) {
        core.prefer(name)
        logger.info("\(Capability.kind) chain \(chainName): primary provider is now \(core.order.first ?? "none")")
    }

    /// The chain's members in routing order with their services (for tools that inspect or switch models).
    public var membersInOrder: [(name: String, service: Capability.Service)] {
        core.order.compactMap { name in members[name].map { (name: name, service: $0.service) } }
    }

    /// Clears an auth disablement after the configuration changed.
    public func enable(_ name: String) {
        core.handle(.enable(provider: name), now: wallClock())
        publishAvailabilityChanges()
    }

    /// Marks `name` unavailable because its model is gone (the start-up catalogue check); `enable` undoes it.
    public func markUnavailable(_ name: String, reason: String) {
        core.handle(.markUnavailable(provider: name, reason: reason), now: wallClock())
        publishAvailabilityChanges()
    }

    /// Lets cooldown expiries surface as availability events (call periodically, e.g. from status polling).
    public func tick() {
        core.handle(RouterCore.timeout, now: wallClock())
        publishAvailabilityChanges()
    }

    /// Records a model change of a rotation client (for status).
    public func noteModel(_ model: String, for name: String) {
        core.handle(.modelChanged(provider: name, model: model), now: wallClock())
    }

    // MARK: - Routing

    /// Runs one turn: the core picks each attempt (provider, partner, deadlines) and decides after it
    /// (serve, retry after a wait, or move on); this actor only runs attempts, sleeps the waits the
    /// core chose, yields events and fills the cache.
    private func route(_ request: Capability.Request, output: AsyncThrowingStream<RoutedEvent<Capability.Event>, any Error>.Continuation) async {
        let requestStart = ContinuousClock.now
        let deadline = Capability.deadline(of: request) ?? requestStart + turnBudget
        stats.requests += 1
        var turn = core.beginTurn(budget: deadline - requestStart, estimatedTokens: Capability.estimatedTokens(request))

        let cacheKey = Capability.cacheKey(request)
        if let cacheKey, let cache, let events = await cache.lookup(cacheKey, now: wallClock()) {
            stats.cacheHits += 1
            logger.info("Answered from the response cache", metadata: ["chain": "\(chainName)"])
            for event in events { output.yield(.event(event)) }
            output.yield(.served(provider: "cache", model: nil, ttft: ContinuousClock.now - requestStart))
            output.finish()
            return
        }

        var failures: [ProviderError] = []
        var delivered: [Capability.Event] = []
        var handover: (from: String, reason: String)?
        var warnedAllDown = false
        var retrying: String?

        while !Task.isCancelled {
            let now = wallClock()
            absorbRateLimitReports(now: now)
            let plan = core.candidates(for: turn, now: now)
            if let retrying, plan.eligible.first != retrying {
                // Benched while waiting to retry (e.g. a rate limit): move on, as a failover.
                turn.tried.insert(retrying)
                handover = (retrying, "no longer available")
            }
            retrying = nil
            for skip in plan.skipped where !turn.tried.contains(skip.provider) {
                logger.debug("Skipping \(Capability.kind) provider \(skip.provider): \(skip.reason)",
                             metadata: ["provider.name": "\(skip.provider)"])
            }
            guard let primary = plan.eligible.first, let member = members[primary] else {
                logger.error("No \(Capability.kind) provider can answer", metadata: ["chain": "\(chainName)"])
                output.finish(throwing: RouterExhaustedError(chain: chainName, failures: failures))
                return
            }
            if let (from, reason) = handover {
                stats.switches += 1
                metrics.fallback(from: from, to: primary)
                logger.warning("\(Capability.kind) provider \(from) failed (\(reason)); switching to \(primary)",
                               metadata: ["provider.failed": "\(from)", "provider.next": "\(primary)"])
                output.yield(.switched(from: from, to: primary, reason: reason))
                handover = nil
            }
            if member.policy.isLastResort, !warnedAllDown, core.order.count > 1 {
                warnedAllDown = true
                logger.warning("All \(Capability.kind) providers unavailable; using local fallback")
            }
            guard core.admit(primary, now: wallClock(), estimatedTokens: turn.estimatedTokens) else {
                // Became ineligible since the plan (e.g. a half-open probe taken by a concurrent turn).
                turn.tried.insert(primary)
                handover = (primary, "no longer available")
                continue
            }
            publishAvailabilityChanges()

            let attempt = await runAttempt(member, turn: turn, request: request, delivered: delivered,
                                           requestStart: requestStart, deadline: deadline, output: output)
            delivered += attempt.delivered
            // Absorbed even when the caller went away: the racers' `.cancelled` hand back half-open probes.
            let elapsed = ContinuousClock.now - requestStart
            let decision = core.finish(attempt.outcomes, primary: primary, partner: attempt.partner, turn: &turn,
                                       elapsed: elapsed, now: wallClock(), unit: Double.random(in: 0..<1))
            failures += attempt.failures
            publishAvailabilityChanges()
            if case .serve = decision {} else if Task.isCancelled { break }
            switch decision {
            case .serve(let name, let ttft):
                currentProvider = name
                var model: String?
                if let servedBy = members[name] { model = await Capability.model(of: servedBy.service) }
                output.yield(.served(provider: name, model: model, ttft: ttft))
                if let cacheKey, let cache { await cache.store(cacheKey, events: delivered, now: wallClock()) }
                output.finish()
                return
            case .retry(let wait):
                retrying = primary
                try? await Task.sleep(for: wait)
            case .next(let failed, let reason):
                handover = (failed, reason)
            }
        }
        output.finish(throwing: CancellationError())
    }

    private struct AttemptResult {
        var outcomes: [AttemptOutcome]
        var partner: AttemptPartner?
        var delivered: [Capability.Event]
        var failures: [ProviderError]
    }

    /// Runs one admitted attempt on `member`, raced by the partner the core chose (a hedge, or a backup
    /// at the turn's first-token deadline), and reports how each racer ended.
    private func runAttempt(
        _ member: ChainMember<Capability>, turn: TurnState, request: Capability.Request, delivered: [Capability.Event],
        requestStart: ContinuousClock.Instant, deadline: ContinuousClock.Instant,
        output: AsyncThrowingStream<RoutedEvent<Capability.Event>, any Error>.Continuation
    ) async -> AttemptResult {
        let model = await Capability.model(of: member.service)
        logger.info("Using \(Capability.kind) provider: \(member.name) (model \(model ?? "default"))",
                    metadata: ["provider.name": "\(member.name)", "provider.model": "\(model ?? "")"])
        output.yield(.attempt(provider: member.name, model: model))

        var racers = [AttemptRace<Capability>.Racer(name: member.name, service: member.service, policy: member.policy,
                                                     startDelay: nil)]
        let partner = core.partner(for: member.name, turn: turn, elapsed: ContinuousClock.now - requestStart, now: wallClock())
        if let partner, let partnerMember = members[partner.name] {
            if partner.role == .hedge {
                stats.hedges += 1
                metrics.hedgeStarted(partner.name)
            }
            racers.append(.init(name: partner.name, service: partnerMember.service, policy: partnerMember.policy,
                                startDelay: partner.delay, role: partner.role, replacing: member.name))
        }
        let attemptRequest = delivered.isEmpty ? request : Capability.continuation(of: request, after: delivered)
        let shared = AttemptRace<Capability>.Shared(splicer: Capability.splicer(after: delivered), output: output)
        let race = AttemptRace<Capability>(racers: racers, shared: shared, requestStart: requestStart, deadline: deadline)
        let outcomes = await race.run(attemptRequest)

        var failures: [ProviderError] = []
        let backupServed = partner?.role == .backup && outcomes.contains {
            if case .completed(let name, _, _, _) = $0 { name == partner?.name } else { false }
        }
        for outcome in outcomes {
            let missed: Bool
            if case .cancelled(member.name) = outcome { missed = backupServed } else { missed = false }
            metrics.record(outcome, missedTurnDeadline: missed) { name, tokens in
                members[name].map { RouterCore.estimatedCost($0.policy, tokens: tokens) } ?? 0
            }
            switch outcome {
            case .completed(let name, _, let tokens, let cost):
                stats.record(provider: name, tokens: tokens, costUSD: cost)
                if name != member.name {
                    if partner?.role == .hedge {
                        stats.hedgeWins += 1
                        metrics.hedgeWon(name)
                    } else {
                        stats.switches += 1
                    }
                }
            case .failed(let name, let error, _):
                failures.append(error)
                logger.warning("\(Capability.kind) provider \(name) failed: \(error.kind.rawValue)",
                               metadata: ["provider.name": "\(name)", "error": "\(error.message.prefix(200))"])
            case .cancelled, .notStarted:
                break
            }
        }
        return AttemptResult(outcomes: outcomes, partner: partner, delivered: shared.delivered, failures: failures)
    }

    private func absorbRateLimitReports(now: Date) {
        guard let rateLimits else { return }
        for report in rateLimits.drain() where members[report.provider] != nil {
            core.handle(.rateLimitHeaders(provider: report.provider, report.info), now: now)
        }
        publishAvailabilityChanges()
    }

    private func publishAvailabilityChanges() {
        while let change = core.pollOutput() {
            availabilityContinuation.yield(change)
            if case .availabilityChanged(let name, let from, let to, let until) = change {
                metrics.availabilityChanged(name, to: to)
                let eta = until.map { " (expected back \($0.ISO8601Format()))" } ?? ""
                logger.notice("\(Capability.kind) provider \(name): \(from.rawValue) → \(to.rawValue)\(eta)",
                              metadata: ["provider.name": "\(name)"])
            }
        }
        for (name, health) in core.providers { metrics.circuit(name, health.breaker.state) }
    }
}

/// Counters for status and tests.
public struct RouterStats: Sendable, Equatable {
    public var requests = 0
    public var switches = 0
    public var hedges = 0
    public var hedgeWins = 0
    public var cacheHits = 0
    public var servedBy: [String: Int] = [:]

    mutating func record(provider: String, tokens: Int, costUSD: Double?) {
        servedBy[provider, default: 0] += 1
    }
}
