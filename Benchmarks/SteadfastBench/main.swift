import Foundation
import Logging

// Router, media-plane and voice-pipeline benchmarks (README § Benchmarks).
// Run: swift run -c release steadfast-bench [--quick] [--json] [--only router|media|voice]
// Allocation counts need the preloaded counter: Benchmarks/run-with-malloc-counter.sh [options].
LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
let options = BenchOptions(arguments: CommandLine.arguments)

var rows: [ResultRow] = []
var derived: [DerivedRow] = []
do {
    if options.runs(.router) {
        for run in [FailoverBenchmark.run, RouterOverheadBenchmark.run, HedgeBenchmark.run] {
            let result = try await run(options)
            rows += result.rows
            derived += result.derived
        }
    }
    if options.runs(.media) {
        // Synchronous and single-threaded: each figure is the cost on one core.
        let receive = try ReceivePathBenchmark.run(options)
        let connection = try PeerConnectionReceiveBenchmark.run(options, bareAllocations: receive.rawAllocations)
        let send = try SendPathBenchmark.run(options)
        let opus = try OpusCodecBenchmark.run(options)
        let capacity = SessionCapacityBenchmark.run(receive: receive, send: send, opus: opus)
        for result in [receive.result, connection, send.result, opus.result, capacity] {
            rows += result.rows
            derived += result.derived
        }
    }
    if options.runs(.voice) {
        // One conversation of espeak-ng turns feeds both: the session runs of 8 give 9 its session CPU.
        let (warmupTurns, timedTurns) = (options.warmup(10), options.iterations(200))
        let conversation = try await VoiceFixtures.conversation(turns: warmupTurns + timedTurns)
        let pipeline = try await PipelineOverheadBenchmark.run(options, conversation: conversation,
                                                               warmupTurns: warmupTurns)
        let cpu = try VoiceCPUBenchmark.run(options, conversation: conversation, sessionCPU: pipeline.sessionCPU)
        let vadChoice = try await VADChoiceBenchmark.run(options)
        for result in [pipeline.result, cpu, vadChoice] {
            rows += result.rows
            derived += result.derived
        }
    }
    if options.runs(.data) {
        let result = try await DataChannelBenchmark.run(options)
        rows += result.rows
        derived += result.derived
    }
    if options.runs(.deadair) {
        let result = try await DeadAirBenchmark.run(options)
        rows += result.rows
        derived += result.derived
    }
} catch {
    FileHandle.standardError.write(Data("steadfast-bench: failed: \(error)\n".utf8))
    exit(1)
}

print(Report.markdown(rows: rows, derived: derived))
if options.json { print(Report.json(rows: rows, derived: derived, quick: options.quick)) }
