import Foundation
import Logging

// Router benchmarks (README § Benchmarks). Run: swift run -c release steadfast-bench [--quick] [--json]
LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
let options = BenchOptions(arguments: CommandLine.arguments)

var rows: [ResultRow] = []
var derived: [DerivedRow] = []
do {
    for run in [FailoverBenchmark.run, RouterOverheadBenchmark.run, HedgeBenchmark.run] {
        let result = try await run(options)
        rows += result.rows
        derived += result.derived
    }
} catch {
    FileHandle.standardError.write(Data("steadfast-bench: failed: \(error)\n".utf8))
    exit(1)
}

print(Report.markdown(rows: rows, derived: derived))
if options.json { print(Report.json(rows: rows, derived: derived, quick: options.quick)) }
