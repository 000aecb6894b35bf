/// A bounded window of recent time-to-first-token samples with percentiles (for status and the
/// hedge delay). Keeps the last `capacity` samples; old behaviour ages out.
public struct LatencyStats: Sendable, Equatable {
    public let capacity: Int
    private var samples: [Double] = []  // seconds, oldest first

    public init(capacity: Int = 100) { self.capacity = capacity }

    public mutating func record(_ duration: Duration) {
        samples.append(duration.seconds)
        if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
    }

    public var count: Int { samples.count }

    /// The `p`-th percentile (0...1), nearest-rank; nil without samples.
    public func percentile(_ p: Double) -> Duration? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return .seconds(sorted[min(max(rank, 0), sorted.count - 1)])
    }
}
