import Foundation

/// Closed → open → half-open → closed, driven by call outcomes and `now` (no clock inside).
///
/// Opens after N consecutive failures or a failure rate over a sliding window. After the
/// cooldown exactly one real request may probe (half-open); its success closes the circuit,
/// its failure reopens it for another cooldown.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case closed
        case open(until: Date)
        /// One probe is allowed; `probing` is true once it has been handed out.
        case halfOpen(probing: Bool)
    }

    public let policy: BreakerPolicy
    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    private var recent: [Bool] = []  // true = failure, newest last

    public init(policy: BreakerPolicy) { self.policy = policy }

    /// Advances time: an open circuit whose cooldown passed becomes half-open.
    public mutating func tick(now: Date) {
        if case .open(let until) = state, now >= until { state = .halfOpen(probing: false) }
    }

    /// Whether a request may go to this provider now. In half-open, only the first caller gets a yes.
    public mutating func admit(now: Date) -> Bool {
        tick(now: now)
        switch state {
        case .closed: return true
        case .open: return false
        case .halfOpen(let probing):
            if probing { return false }
            state = .halfOpen(probing: true)
            return true
        }
    }

    /// Would `admit` say yes, without taking the probe slot.
    public func wouldAdmit(now: Date) -> Bool {
        switch state {
        case .closed: return true
        case .open(let until): return now >= until
        case .halfOpen(let probing): return !probing
        }
    }

    /// A success closes a half-open circuit. A late success from a call started before the circuit
    /// opened does not reopen the gate early.
    public mutating func recordSuccess() {
        consecutiveFailures = 0
        remember(failure: false)
        if case .open = state { return }
        state = .closed
    }

    public mutating func recordFailure(now: Date) {
        consecutiveFailures += 1
        remember(failure: true)
        if case .halfOpen = state {
            open(now: now)
            return
        }
        let failures = recent.filter { $0 }.count
        let rateTripped = recent.count >= policy.minimumCalls
            && Double(failures) / Double(recent.count) >= policy.failureRate
        if consecutiveFailures >= policy.consecutiveFailures || rateTripped { open(now: now) }
    }

    /// A probe that ended without a verdict (cancelled by the caller) frees the slot again.
    public mutating func releaseProbe() {
        if case .halfOpen(true) = state { state = .halfOpen(probing: false) }
    }

    /// Forces the circuit open, e.g. when the provider itself says to stay away.
    public mutating func open(now: Date, for duration: Duration? = nil) {
        state = .open(until: now.addingTimeInterval((duration ?? policy.cooldown).seconds))
        recent.removeAll()
    }

    private mutating func remember(failure: Bool) {
        recent.append(failure)
        if recent.count > policy.window { recent.removeFirst(recent.count - policy.window) }
    }
}
