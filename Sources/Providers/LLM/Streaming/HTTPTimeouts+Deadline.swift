import Transport

extension HTTPTimeouts {
    /// Connect within 10 s, and finish the whole transfer by the request's deadline.
    ///
    /// The first-token deadline is deliberately absent: the router enforces it, because only it
    /// knows whether a fallback is worth starting.
    static func forLLM(deadline: ContinuousClock.Instant?, clock: ContinuousClock = ContinuousClock()) -> HTTPTimeouts {
        let total = deadline.map { max(.milliseconds(1), clock.now.duration(to: $0)) }
        return HTTPTimeouts(connect: .seconds(10), firstByte: nil, idle: nil, total: total)
    }
}
