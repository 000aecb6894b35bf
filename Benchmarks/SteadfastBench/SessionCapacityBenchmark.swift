import RTC

/// 7. Full-duplex audio sessions per core, derived from 4–6 (no new measurement). Each second a session
/// receives and decodes 50 packets and encodes and sends 50, so its CPU time per second is
/// `50 × (encode + decode + receive + pop + send)` and one core carries `1 s ÷` that many sessions.
/// Each column combines the components' figures at that percentile (p99 is a pessimistic bound:
/// worst cases rarely coincide). Baseline: the same formula over the bare libopus and libsrtp figures.
enum SessionCapacityBenchmark {
    static let name = "7. Sessions per core"
    /// The WebRTC mandatory profile (Chrome's pick) is the one the capacity is quoted for.
    static let profile = SRTPProfile.aes128CmHmacSha1_80

    static func run(receive: ReceivePathBenchmark.Outcome, send: SendPathBenchmark.Outcome,
                    opus: OpusCodecBenchmark.Outcome) -> (rows: [ResultRow], derived: [DerivedRow]) {
        guard let received = receive.figures[profile], let sent = send.figures[profile] else { return ([], []) }
        let perSecond = Double(MediaFixtures.framesPerSecond)
        var derived: [DerivedRow] = []
        for complexity in OpusCodecBenchmark.complexities {
            guard let encode = opus.encode[complexity], let decode = opus.decode[complexity] else { continue }
            let swift = [encode.swift, decode.swift, received.path, received.pop, sent.path]
            let raw = [encode.raw, decode.raw, received.raw, sent.raw]
            func sessions(_ parts: [Samples], _ percentile: (Samples) -> Double) -> Double {
                1 / (perSecond * parts.reduce(0) { $0 + percentile($1) })
            }
            let median = sessions(swift, \.median), p90 = sessions(swift, \.p90), p99 = sessions(swift, \.p99)
            let rawMedian = sessions(raw, \.median), rawP99 = sessions(raw, \.p99)
            let terms = swift.map { String(format: "%.1f", $0.median * 1e6) }.joined(separator: " + ")
            derived.append(DerivedRow(
                benchmark: name,
                scenario: "Complexity \(complexity), \(profile): 1 s ÷ (50 × (encode + decode + receive + pop + send))",
                count: encode.swift.count, median: median, p90: p90, p99: p99,
                ratio: "\(Report.ratio(median / rawMedian)) / \(Report.ratio(p99 / rawP99)) of bare C: "
                    + String(format: "%.0f / %.0f", rawMedian, rawP99),
                target: "median: 1 s ÷ (50 × (\(terms) µs)) = " + String(format: "%.0f", median),
                unit: .sessions))
        }
        return ([], derived)
    }
}
