import Foundation

/// Command-line options: `--quick` (few iterations, for smoke runs), `--json` (machine-readable
/// results after the table) and `--only router|media|voice` (one group of benchmarks; all by default).
struct BenchOptions: Sendable {
    /// Benchmark groups `--only` can pick.
    enum Group: String, Sendable, CaseIterable {
        /// 1–3: provider fallback router.
        case router
        /// 4–7: RTP/SRTP packet paths, Opus, sessions per core.
        case media
        /// 8–10: voice pipeline overhead, CPU per live voice session, VAD choice.
        case voice
        /// 11: dead air under a stalled primary, default and bulletproof chains (issue 10).
        case deadair
        /// 12: data channels through the whole stack, against aiortc in the same run (issue 11).
        case data
    }

    static let usage = "usage: swift run -c release steadfast-bench [--quick] [--json] [--only router|media|voice|deadair|data]"

    var quick = false
    var json = false
    var groups = Set(Group.allCases)

    init(arguments: [String]) {
        var remaining = arguments.dropFirst()[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--quick": quick = true
            case "--json": json = true
            case "--only":
                guard let name = remaining.popFirst(), let group = Group(rawValue: name) else {
                    Self.fail("--only takes one of: \(Group.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                groups = [group]
            case "-h", "--help":
                print(Self.usage)
                exit(0)
            default:
                Self.fail("unknown option \(argument)")
            }
        }
    }

    func runs(_ group: Group) -> Bool { groups.contains(group) }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("steadfast-bench: \(message)\n\(usage)\n".utf8))
        exit(2)
    }

    /// Full iteration count, or a tenth of it (at least 10) with `--quick`.
    func iterations(_ full: Int) -> Int { quick ? max(10, full / 10) : full }
    func warmup(_ full: Int) -> Int { quick ? max(2, full / 10) : full }
}

/// Samples of one measured quantity, in seconds.
struct Samples: Sendable {
    private(set) var values: [Double] = []

    mutating func add(_ duration: Duration) { values.append(duration.benchSeconds) }
    /// A quantity already in seconds (or a ratio of seconds, like CPU seconds per audio second).
    mutating func add(seconds: Double) { values.append(seconds) }

    var count: Int { values.count }

    /// Nearest-rank percentile, `p` in 0...1.
    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    var median: Double { percentile(0.5) }
    var p90: Double { percentile(0.9) }
    var p99: Double { percentile(0.99) }
}

/// One line of the result table. `baseline` is the row this one is compared with (nil for a baseline).
struct ResultRow: Sendable {
    var benchmark: String
    var scenario: String
    var samples: Samples
    var baseline: Samples?
    var target: String = ""
    /// When set, the target is met if p99 stays below it (shown in the table).
    var limit: Duration?

    var targetText: String { Report.verdict(target, p99: samples.p99, limit: limit) }

    /// median / baseline median, and p99 / baseline p99.
    var ratios: (median: Double, p99: Double)? {
        guard let baseline, baseline.median > 0, baseline.p99 > 0 else { return nil }
        return (samples.median / baseline.median, samples.p99 / baseline.p99)
    }
}

/// Pre-computed difference rows (routed − direct at each percentile), which are not sample sets.
struct DerivedRow: Sendable {
    var benchmark: String
    var scenario: String
    var count: Int
    var median: Double
    var p90: Double
    var p99: Double
    var ratio: String
    var target: String
    var limit: Duration? = nil
    /// What median/p90/p99 hold; durations unless stated.
    var unit: Unit = .seconds

    enum Unit: String, Sendable {
        case seconds
        /// Heap allocation calls per packet (a mean over the counted loop; p90/p99 are not sampled).
        case allocationsPerPacket = "allocations_per_packet"
        /// Full-duplex sessions one core sustains.
        case sessions
        /// Share of one core's time, in percent.
        case percentOfCore = "percent_of_core"
        /// A rate in percent (precision, recall, false positives of a detector).
        case percent
        /// A plain number with two decimals (e.g. detected segments per spoken utterance).
        case number
        /// A whole count of things (e.g. test conditions).
        case count

        func format(_ value: Double) -> String {
            if value.isNaN { return "–" }
            switch self {
            case .seconds: return Report.format(value)
            case .allocationsPerPacket: return String(format: "%.2f", value)
            case .sessions: return String(format: "%.0f", value)
            case .percentOfCore: return String(format: "%.2f %%", value)
            case .percent: return String(format: "%.1f %%", value)
            case .number: return String(format: "%.2f", value)
            case .count: return String(format: "%.0f", value)
            }
        }
    }

    var targetText: String { unit == .seconds ? Report.verdict(target, p99: p99, limit: limit) : target }
}

enum Report {
    static func format(_ seconds: Double) -> String {
        if seconds.isNaN { return "–" }
        let magnitude = abs(seconds)
        if magnitude < 1e-3 { return String(format: "%.1f µs", seconds * 1e6) }
        if magnitude < 1 { return String(format: "%.2f ms", seconds * 1e3) }
        return String(format: "%.3f s", seconds)
    }

    /// "< 1 ms: met at p99" / "…: MISSED at p99", or the target text alone.
    static func verdict(_ target: String, p99: Double, limit: Duration?) -> String {
        guard let limit else { return target }
        return target + (p99 < limit.benchSeconds ? ": met at p99" : ": **missed** at p99")
    }

    static func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }

    static func markdown(rows: [ResultRow], derived: [DerivedRow]) -> String {
        var lines = [
            "| Benchmark | Scenario | n | median | p90 | p99 | vs baseline (median / p99) | Target |",
            "|---|---|--:|--:|--:|--:|--:|---|",
        ]
        // Keep the caller's order: measured rows and derived rows are interleaved by benchmark.
        var emitted = Set<String>()
        let benchmarks = (rows.map(\.benchmark) + derived.map(\.benchmark)).filter { emitted.insert($0).inserted }
        for benchmark in benchmarks {
            for row in rows where row.benchmark == benchmark {
                let versus = row.ratios.map { "\(ratio($0.median)) / \(ratio($0.p99))" } ?? "baseline"
                lines.append("| \(row.benchmark) | \(row.scenario) | \(row.samples.count) | \(format(row.samples.median)) "
                             + "| \(format(row.samples.p90)) | \(format(row.samples.p99)) | \(versus) | \(row.targetText) |")
            }
            for row in derived where row.benchmark == benchmark {
                let format = row.unit.format
                lines.append("| \(row.benchmark) | \(row.scenario) | \(row.count) | \(format(row.median)) "
                             + "| \(format(row.p90)) | \(format(row.p99)) | \(row.ratio) | \(row.targetText) |")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func json(rows: [ResultRow], derived: [DerivedRow], quick: Bool) -> String {
        func number(_ value: Double) -> String { value.isFinite ? String(format: "%.9f", value) : "null" }
        func string(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var items: [String] = []
        for row in rows {
            var fields = [
                "\"benchmark\":\(string(row.benchmark))", "\"scenario\":\(string(row.scenario))",
                "\"iterations\":\(row.samples.count)", "\"median_s\":\(number(row.samples.median))",
                "\"p90_s\":\(number(row.samples.p90))", "\"p99_s\":\(number(row.samples.p99))",
            ]
            if let ratios = row.ratios {
                fields += ["\"ratio_median\":\(number(ratios.median))", "\"ratio_p99\":\(number(ratios.p99))"]
            }
            if !row.target.isEmpty { fields.append("\"target\":\(string(row.targetText))") }
            items.append("{" + fields.joined(separator: ",") + "}")
        }
        for row in derived {
            // Durations keep their historical `_s` keys; other units are named in the key.
            let suffix = row.unit == .seconds ? "s" : row.unit.rawValue
            items.append("{" + [
                "\"benchmark\":\(string(row.benchmark))", "\"scenario\":\(string(row.scenario))",
                "\"iterations\":\(row.count)", "\"median_\(suffix)\":\(number(row.median))",
                "\"p90_\(suffix)\":\(number(row.p90))", "\"p99_\(suffix)\":\(number(row.p99))",
                "\"ratio\":\(string(row.ratio))", "\"target\":\(string(row.targetText))",
            ].joined(separator: ",") + "}")
        }
        return "{\"quick\":\(quick),\"results\":[\n  " + items.joined(separator: ",\n  ") + "\n]}"
    }
}

/// Runs `body` `warmup` times unrecorded, then `iterations` times; `body` returns the durations to
/// record for one iteration (several quantities may come from one request).
func measure(iterations: Int, warmup: Int, _ body: () async throws -> [Duration]) async rethrows -> [Samples] {
    for _ in 0..<warmup { _ = try await body() }
    var all: [Samples] = []
    for _ in 0..<iterations {
        let durations = try await body()
        if all.isEmpty { all = Array(repeating: Samples(), count: durations.count) }
        for (index, duration) in durations.enumerated() { all[index].add(duration) }
    }
    return all
}

func progress(_ message: String) {
    FileHandle.standardError.write(Data("steadfast-bench: \(message)\n".utf8))
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var benchSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
