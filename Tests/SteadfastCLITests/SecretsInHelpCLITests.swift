import Foundation
import Synchronization
import TestSupport
import Testing

/// The README: "Secrets are never printed: logs and `--help` show at most the last 4 characters."
/// Every subcommand's `--help` and a real worker run's stderr, with every secret variable set.
@Suite("Secrets never in --help or worker logs", .serialized, .timeLimit(.minutes(3)))
struct SecretsInHelpCLITests {
    /// Every variable the README's table marks secret, each with a value unique to it.
    static let secrets: [String: String] = Dictionary(uniqueKeysWithValues: [
        "LIVEKIT_API_SECRET", "OPENAI_API_KEY", "OPENROUTER_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY",
        "ANTHROPIC_API_KEY", "GROQ_API_KEY", "TOGETHER_API_KEY", "CLOUDFLARE_API_KEY", "DEEPGRAM_API_KEY",
        "CARTESIA_API_KEY", "ELEVENLABS_API_KEY", "LEAD_WEBHOOK_TOKEN",
    ].map { ($0, "zz\($0.lowercased().replacingOccurrences(of: "_", with: ""))Q7vX9kW2mR4t") })

    /// The secret itself, or enough of it (more than the last 4 characters) to matter.
    static func leaks(_ output: String, extra: [String] = []) -> [String] {
        (Array(secrets.values) + extra).filter { output.contains($0) || output.contains(String($0.dropLast(4))) }
    }

    /// Subcommand paths listed under SUBCOMMANDS: in `help`.
    static func subcommands(in help: String) -> [String] {
        guard let section = help.range(of: "SUBCOMMANDS:") else { return [] }
        return help[section.upperBound...].split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), !line.contains("See '") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
    }

    @Test func noHelpOutputShowsASecret() async throws {
        var environment = Self.secrets
        environment["LIVEKIT_API_KEY"] = "APIhelpcheck"
        environment["LIVEKIT_URL"] = "ws://127.0.0.1:9"
        var pending: [[String]] = [[]]
        var seen = 0
        while let path = pending.popLast() {
            let result = try await SteadfastCLITests.run(path + ["--help"], env: environment)
            #expect(result.status == 0, "\(path) --help: \(result.stderr)")
            let output = result.stdout + result.stderr
            #expect(Self.leaks(output).isEmpty, "steadfast \(path.joined(separator: " ")) --help shows \(Self.leaks(output))")
            seen += 1
            pending += Self.subcommands(in: result.stdout).map { path + [$0] }
        }
        #expect(seen >= 15, "every subcommand was visited (\(seen))")
    }

    /// A worker that registers, is given a job with a join token, tries to join, then drains on SIGTERM:
    /// its stderr names neither the API secret, a provider key nor the job's room token.
    @Test func workerRunLogsNoSecretOrJoinToken() async throws {
        let (server, port) = try WorkerCLITests.server()
        defer { server.terminate() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-leak-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = ["PATH": "/usr/bin:/bin", "STEADFAST_LOG_LEVEL": "trace"].merging(Self.secrets) { $1 }
        environment["LIVEKIT_API_SECRET"] = WorkerCLITests.apiSecret
        environment["LIVEKIT_API_KEY"] = WorkerCLITests.apiKey
        environment["LIVEKIT_URL"] = "ws://127.0.0.1:\(port)"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try SteadfastCLITests.binary())
        process.arguments = ["start", "--http-port", "-1", "--agents-directory", directory.path]
        process.environment = environment
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let collected = StderrCollector(errors.fileHandleForReading)
        try process.run()
        // The job is over once the worker tried to join the room with its token (the script has no /rtc).
        let clock = ContinuousClock()
        let giveUp = clock.now + .seconds(20)
        while clock.now < giveUp, !collected.text.contains("Job failed"), !collected.text.contains("Left the room") {
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        let stderr = try await offThePool { process.waitUntilExit(); return collected.finish() }
        #expect(stderr.contains("AJ_py") && stderr.contains("/rtc"),
                "the worker never tried to join the job's room: \(stderr.suffix(2_000))")
        let leaks = Self.leaks(stderr, extra: ["room-token-for-AJ_py", WorkerCLITests.apiSecret])
        #expect(leaks.isEmpty, "the worker's log shows \(leaks)")
    }
}

/// Reads a pipe to its end on a thread of its own (a blocking read stays off the cooperative pool).
final class StderrCollector: Sendable {
    private let data = Mutex(Data())
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                data.withLock { $0.append(chunk) }
            }
            done.signal()
        }
    }

    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Waits for the end of the pipe (call off the pool, once the process exited).
    func finish() -> String {
        done.wait()
        return text
    }
}
