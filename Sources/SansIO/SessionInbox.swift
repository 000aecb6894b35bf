import Synchronization

/// The single ordered input queue of one session's driver: every source (signalling frames,
/// datagrams, audio to send, commands) sends here, and the driver's one loop takes inputs in
/// arrival order, or wakes at its cores' next deadline when nothing arrives first. No polling:
/// between inputs and deadlines the loop is suspended.
///
/// Unbounded on purpose for control inputs (a lost signalling frame is a broken session); audio
/// producers go through `DropOldestBuffer` and send a wake-up here, so audio can never grow it.
public final class SessionInbox<Element: Sendable>: Sendable {
    /// What `next(deadline:)` returns.
    public enum Wake: Sendable {
        case input(Element)
        /// The deadline passed with no input before it.
        case deadline
        /// `finish()` was called and every queued input has been taken.
        case finished
    }

    fileprivate struct State {
        var queue: [Element] = []
        var head = 0
        var finished = false
        var waiter: CheckedContinuation<Wake, Never>?
        var waiterID = 0
        /// The sleep that ends the current wait at its deadline; cancelled when an input ends it first.
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Queues an input; false once the inbox is finished (the input is dropped: the session is over).
    @discardableResult
    public func send(_ element: Element) -> Bool {
        let waiter: CheckedContinuation<Wake, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                state.timer?.cancel()
                state.timer = nil
                return waiter
            }
            state.queue.append(element)
            return nil
        }
        guard let waiter else { return state.withLock { !$0.finished } }
        waiter.resume(returning: .input(element))
        return true
    }

    /// Ends the session's input: queued inputs are still delivered, then `.finished`.
    public func finish() {
        let waiter: CheckedContinuation<Wake, Never>? = state.withLock { state in
            state.finished = true
            guard state.queue.count == state.head, let waiter = state.waiter else { return nil }
            state.waiter = nil
            state.timer?.cancel()
            state.timer = nil
            return waiter
        }
        waiter?.resume(returning: .finished)
    }

    /// Inputs queued and not yet taken.
    public var count: Int { state.withLock { $0.queue.count - $0.head } }

    /// The next input in arrival order, or `.deadline` once `deadline` passes first (nil: no
    /// deadline), or `.finished`. Task cancellation reads as `.finished`. One consumer only.
    public func next(deadline: ContinuousClock.Instant?) async -> Wake {
        if let ready = takeQueued() { return ready }
        if let deadline, deadline <= .now { return .deadline }
        if Task.isCancelled { return .finished }
        let id = state.withLock { state -> Int in
            state.waiterID &+= 1
            return state.waiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Wake, Never>) in
                let immediate: Wake? = state.withLock { state in
                    if let element = state.dequeue() { return .input(element) }
                    if state.finished || Task.isCancelled { return .finished }
                    state.waiter = continuation
                    return nil
                }
                if let immediate {
                    continuation.resume(returning: immediate)
                    return
                }
                guard let deadline else { return }
                // The timer only resumes the waiter it was armed for, and is cancelled when an input
                // comes first, so no sleep outlives its wait.
                let timer = Task { [weak self] in
                    do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
                    self?.resumeWaiter(id: id, with: .deadline)
                }
                state.withLock { state in
                    if state.waiterID == id, state.waiter != nil { state.timer = timer } else { timer.cancel() }
                }
            }
        } onCancel: {
            resumeWaiter(id: id, with: .finished)
        }
    }

    private func takeQueued() -> Wake? {
        state.withLock { state in
            if let element = state.dequeue() { return .input(element) }
            return state.finished ? .finished : nil
        }
    }

    private func resumeWaiter(id: Int, with wake: Wake) {
        let waiter: CheckedContinuation<Wake, Never>? = state.withLock { state in
            guard state.waiterID == id, let waiter = state.waiter else { return nil }
            state.waiter = nil
            if case .finished = wake { state.timer?.cancel() }
            state.timer = nil
            return waiter
        }
        waiter?.resume(returning: wake)
    }
}

extension SessionInbox.State {
    fileprivate mutating func dequeue() -> Element? {
        guard head < queue.count else { return nil }
        let element = queue[head]
        head += 1
        // Compact once the consumed prefix dominates, so a long session does not keep every input.
        if head > 64, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return element
    }
}
