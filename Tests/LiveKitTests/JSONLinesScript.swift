import Foundation
import Synchronization
import TestSupport

/// A Python script under `Tests/LiveKitTests/python/` run from the interop venv as a child process
/// that prints JSON lines (its port, events, its result); the tests wait for the line with a key.
class JSONLinesScript: @unchecked Sendable {
    // SAFETY: `lines` is guarded by its mutex; the process and pipe are set up in init.
    let process = Process()
    private let output = Pipe()
    private let lines = Mutex<(complete: [String], partial: Data)>(([], Data()))
    private let script: String

    init(script: String, arguments: [String]) throws {
        self.script = script
        process.executableURL = URL(fileURLWithPath: try InteropPython.interpreter())
        process.arguments = [InteropPython.packageRoot.appendingPathComponent("Tests/LiveKitTests/python/\(script)").path]
            + arguments
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        output.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            lines.withLock { state in
                state.partial.append(data)
                while let newline = state.partial.firstIndex(of: 10) {
                    state.complete.append(String(decoding: state.partial[state.partial.startIndex..<newline], as: UTF8.self))
                    state.partial.removeSubrange(state.partial.startIndex...newline)
                }
            }
        }
        try process.run()
    }

    /// Every line printed so far that has `key`, in order.
    func values(_ key: String) -> [Any] {
        lines.withLock { $0.complete }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?[key]
        }
    }

    /// The first line with `key`, waiting up to `timeout`.
    func value(_ key: String, timeout: Duration = .seconds(30)) async throws -> Any {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = values(key).first { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw WorkerDriverTests.FixtureFailure("\(script) printed no \(key) line")
    }

    /// SIGKILL, not SIGTERM: a child inherits ignored signals, and a test process that ever ignored
    /// SIGTERM (the worker's drain handling does) would leave the script running and holding the
    /// test runner's output pipe open, so `swift test` would never end.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }
}
