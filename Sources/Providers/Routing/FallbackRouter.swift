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
    private let hedge: HedgePolicy?
    private var hedgeTokens = 1.0
    private let turnBudget: Duration
    private let cache: ResponseCache<Capability.Event>?
    private let rateLimits: RateLimitLedger?
    private let availabilityContinuation: AsyncStream<RouterCore.Output>.Continuation
    /// Availability changes of every provider, as they happen (also logged).
    public nonisolated let availabilityChanges: AsyncStream<RouterCore.Output>
    /// The provider that served the latest answer.
    public private(set) var currentProvider: String?
    public private(set) var stats = RouterStats()

    public init(name: String, members: [ChainMember<Capability>], hedge: HedgePolicy? = nil,
                turnBudget: Duration = .seconds(20), cache: ResponseCache<Capability.Event>? = nil,
                rateLimits: RateLimitLedger? = nil, logger: Logger = Logger(label: "steadfast.router"),
                wallClock: @escaping @Sendable () -> Date = { Date() }) {
        chainName = name
        self.members = Dictionary(members.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        core = RouterCore(members: members.map { (name: $0.name, policy: $0.policy) })
        self.logger = logger
        self.wallClock = wallClock
        self.hedge = hedge
        self.turnBudget = turnBudget
        self.cache = cache
        self.rateLimits = rateLimits
        (availabilityChanges, availabilityContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(100))
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

    /// Lets cooldown expiries surface as availability events (call periodically, e.g. from status polling).
    public func tick() {
        core.handle(.tick, now: wallClock())
        publishAvailabilityChanges()
    }

    /// Records a model change of a rotation client (for status).
    public func noteModel(_ model: String, for name: String) {
        core.handle(.modelChanged(provider: name, model: model), now: wallClock())
    }

    // MARK: - Routing

    private func route(_ request: Capability.Request, output: AsyncThrowingStream<RoutedEvent<Capability.Event>, any Error>.Continuation) async {
        let requestStart = ContinuousClock.now
        let deadline = Capability.deadline(of: request) ?? requestStart + turnBudget
        let estimate = Capability.estimatedTokens(request)
        stats.requests += 1
        if let hedge { hedgeTokens = min(2, hedgeTokens + hedge.maximumShare) }

        let cacheKey = Capability.cacheKey(request)
        if let cacheKey, let cache, let events = await cache.lookup(cacheKey, now: wallClock()) {
            stats.cacheHits += 1
            logger.info("Answered from the response cache", metadata: ["chain": "\(chainName)"])
            for event in events { output.yield(.event(event)) }
            output.yield(.served(provider: "cache", model: nil, ttft: ContinuousClock.now - requestStart))
            output.finish()
            return
        }

        var tried = Set<String>()
        var failures: [ProviderError] = []
        var delivered: [Capability.Event] = []
        var handover: (from: String, reason: String)?
        var warnedAllDown = false

        while !Task.isCancelled {
            let now = wallClock()
            absorbRateLimitReports(now: now)
            let plan = core.plan(now: now, estimatedTokens: estimate, excluding: tried)
            for skip in plan.skipped where !tried.contains(skip.provider) {
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
                logger.warning("\(Capability.kind) provider \(from) failed (\(reason)); switching to \(primary)",
                               metadata: ["provider.failed": "\(from)", "provider.next": "\(primary)"])
                output.yield(.switched(from: from, to: primary, reason: reason))
                handover = nil
            }
            if member.policy.isLastResort, !warnedAllDown, core.order.count > 1 {
                warnedAllDown = true
                logger.warning("All \(Capability.kind) providers unavailable; using local fallback")
            }

            let result = await attempt(member, plan: plan, tried: tried, request: request, delivered: delivered,
                                       requestStart: requestStart, deadline: deadline, estimate: estimate,
                                       output: output)
            delivered += result.delivered
            failures += result.failures
            if Task.isCancelled { break }
            switch result.verdict {
            case .served(let name, let ttft):
                currentProvider = name
                var model: String?
                if let servedBy = members[name] { model = await Capability.model(of: servedBy.service) }
                output.yield(.served(provider: name, model: model, ttft: ttft))
                if let cacheKey, let cache { await cache.store(cacheKey, events: delivered, now: wallClock()) }
                output.finish()
                return
            case .next(let failed, let reason, let alsoExclude):
                tried.formUnion(alsoExclude)
                tried.insert(failed)
                handover = (failed, reason)
            }
        }
        output.finish(throwing: CancellationError())
    }

    private enum Verdict {
        case served(name: String, ttft: Duration?)
        case next(failed: String, reason: String, alsoExclude: Set<String>)
    }

    private struct AttemptResult {
        var verdict: Verdict
        var delivered: [Capability.Event]
        var failures: [ProviderError]
    }

    /// Runs `member` (with retries, and a hedge partner when allowed) until it serves the answer or
    /// the router should move on.
    private func attempt(
        _ member: ChainMember<Capability>, plan: (eligible: [String], skipped: [(provider: String, reason: String)]),
        tried: Set<String>, request: Capability.Request, delivered: [Capability.Event],
        requestStart: ContinuousClock.Instant, deadline: ContinuousClock.Instant, estimate: Int,
        output: AsyncThrowingStream<RoutedEvent<Capability.Event>, any Error>.Continuation
    ) async -> AttemptResult {
        var failures: [ProviderError] = []
        var newlyDelivered: [Capability.Event] = []
        var retry = 0
        let attemptRequest = delivered.isEmpty ? request : Capability.continuation(of: request, after: delivered)
        while !Task.isCancelled {
            guard core.admit(member.name, now: wallClock(), estimatedTokens: estimate) else {
                return AttemptResult(verdict: .next(failed: member.name, reason: "no longer available", alsoExclude: []),
                                     delivered: newlyDelivered, failures: failures)
            }
            publishAvailabilityChanges()
            let model = await Capability.model(of: member.service)
            logger.info("Using \(Capability.kind) provider: \(member.name) (model \(model ?? "default"))",
                        metadata: ["provider.name": "\(member.name)", "provider.model": "\(model ?? "")"])
            output.yield(.attempt(provider: member.name, model: model))

            var racers = [AttemptRace<Capability>.Racer(name: member.name, service: member.service, policy: member.policy,
                                                         startDelay: nil)]
            if delivered.isEmpty, newlyDelivered.isEmpty, let partner = hedgePartner(for: member, plan: plan, tried: tried) {
                racers.append(partner)
            }
            let shared = AttemptRace<Capability>.Shared(
                splicer: Capability.splicer(after: delivered + newlyDelivered), output: output)
            let race = AttemptRace<Capability>(racers: racers, shared: shared, requestStart: requestStart, deadline: deadline)
            let outcomes = await race.run(attemptRequest)
            newlyDelivered += shared.delivered

            var primaryError: ProviderError?
            var midStreamFailure: (String, ProviderError)?
            // Every outcome is absorbed before returning: the winner usually completes first, and the
            // losers' `.cancelled`/`.notStarted` that follow must still release any half-open probe.
            var served: (name: String, ttft: Duration?)?
            for outcome in outcomes {
                switch outcome {
                case .completed(let name, let ttft, let tokens, let cost):
                    core.handle(.succeeded(provider: name, ttft: ttft, tokens: tokens, costUSD: cost), now: wallClock())
                    stats.record(provider: name, tokens: tokens, costUSD: cost)
                    if name != member.name { stats.hedgeWins += 1 }
                    served = (name, ttft)
                case .failed(let name, let error, let afterOutput):
                    core.handle(.failed(provider: name, error: error), now: wallClock())
                    failures.append(error)
                    logger.warning("\(Capability.kind) provider \(name) failed: \(error.kind.rawValue)",
                                   metadata: ["provider.name": "\(name)", "error": "\(error.message.prefix(200))"])
                    if afterOutput { midStreamFailure = (name, error) }
                    if name == member.name { primaryError = error }
                case .cancelled(let name):
                    core.handle(.cancelled(provider: name), now: wallClock())
                case .notStarted(let name):
                    // The hedge was admitted up front, which may have taken its half-open probe. Hand the
                    // probe back (the request slot stays spent), or the partner would stay benched for ever.
                    core.handle(.cancelled(provider: name), now: wallClock())
                }
            }
            publishAvailabilityChanges()
            if let served {
                return AttemptResult(verdict: .served(name: served.name, ttft: served.ttft), delivered: newlyDelivered,
                                     failures: failures)
            }
            if Task.isCancelled { break }
            if let (name, error) = midStreamFailure {
                return AttemptResult(verdict: .next(failed: name, reason: "\(error.kind.rawValue) mid-answer",
                                                    alsoExclude: Set(racers.map(\.name))),
                                     delivered: newlyDelivered, failures: failures)
            }
            let hedgeNames = Set(racers.dropFirst().map(\.name))
            guard let error = primaryError else {
                return AttemptResult(verdict: .next(failed: member.name, reason: "no answer", alsoExclude: hedgeNames),
                                     delivered: newlyDelivered, failures: failures)
            }
            switch error.kind {
            case .badRequest:
                // The request is at fault: another remote provider would refuse it too. Go to the last resort.
                let remotes = Set(core.order.filter { members[$0]?.policy.isLastResort == false })
                return AttemptResult(verdict: .next(failed: member.name, reason: "bad request", alsoExclude: remotes),
                                     delivered: newlyDelivered, failures: failures)
            case .contextLength:
                let limit = member.policy.contextTokens ?? 0
                let tooSmall = Set(core.order.filter {
                    guard let policy = members[$0]?.policy, !policy.isLastResort else { return false }
                    return (policy.contextTokens ?? Int.max) <= limit
                })
                return AttemptResult(verdict: .next(failed: member.name, reason: "context too long",
                                                    alsoExclude: tooSmall.union(hedgeNames)),
                                     delivered: newlyDelivered, failures: failures)
            case .rateLimited, .server, .timeout, .network, .malformedResponse:
                guard retry < member.policy.maxRetries, !member.policy.isLastResort else { break }
                let wait = max(member.policy.backoff.delay(attempt: retry + 1, unit: Double.random(in: 0..<1)),
                               error.retryAfter ?? .zero)
                let otherRemote = plan.eligible.contains {
                    $0 != member.name && !tried.contains($0) && members[$0]?.policy.isLastResort == false
                }
                if error.retryAfter != nil, otherRemote { break }  // someone else can answer now: don't wait
                if ContinuousClock.now + wait > deadline {
                    logger.info("Not retrying \(member.name): waiting \(wait) would exceed the turn budget")
                    break
                }
                retry += 1
                try? await Task.sleep(for: wait)
                continue
            default:
                break
            }
            return AttemptResult(verdict: .next(failed: member.name, reason: error.kind.rawValue, alsoExclude: hedgeNames),
                                 delivered: newlyDelivered, failures: failures)
        }
        return AttemptResult(verdict: .next(failed: member.name, reason: "cancelled", alsoExclude: []),
                             delivered: newlyDelivered, failures: failures)
    }

    /// The next eligible remote provider as a delayed racer, when hedging is on and within budget.
    private func hedgePartner(for member: ChainMember<Capability>,
                              plan: (eligible: [String], skipped: [(provider: String, reason: String)]),
                              tried: Set<String>) -> AttemptRace<Capability>.Racer? {
        guard let hedge, hedgeTokens >= 1, !member.policy.isLastResort,
              let name = plan.eligible.first(where: {
                  $0 != member.name && !tried.contains($0) && members[$0]?.policy.isLastResort == false
              }),
              let partner = members[name]
        else { return nil }
        // Admit now so limits and the breaker count the hedge; a hedge that never starts costs one request slot.
        guard core.admit(name, now: wallClock(), estimatedTokens: 0) else { return nil }
        hedgeTokens -= 1
        stats.hedges += 1
        let p90 = core.health(member.name)?.ttft.percentile(0.9) ?? .zero
        let delay = max(hedge.minimumDelay, p90)
        return .init(name: name, service: partner.service, policy: partner.policy, startDelay: delay)
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
                let eta = until.map { " (expected back \($0.ISO8601Format()))" } ?? ""
                logger.notice("\(Capability.kind) provider \(name): \(from.rawValue) → \(to.rawValue)\(eta)",
                              metadata: ["provider.name": "\(name)"])
            }
        }
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
