import Foundation

/// The Python interpreter of the interop venv (official LiveKit SDKs, aiortc, ...).
///
/// Interop tests must never skip silently: when the venv is missing they fail with a message
/// saying how to create it (`make venv`, which `make test` runs first).
public enum InteropPython {
    /// Root of the Swift package, derived from this file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// `$STEADFAST_PYTHON`, else `<package>/.venv/bin/python`.
    public static func interpreter() throws -> String {
        let path = ProcessInfo.processInfo.environment["STEADFAST_PYTHON"]
            ?? packageRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Missing(description: """
                interop Python not found at \(path). Create it with `make venv` \
                (pinned livekit-api/livekit-protocol; `make test` does this), or set STEADFAST_PYTHON.
                """)
        }
        return path
    }

    /// Runs `script` (a path relative to the package root) with `arguments`; throws with the
    /// helper's stderr when it exits non-zero.
    public static func run(script: String, _ arguments: [String], input: String = "") async throws -> String {
        let scriptPath = packageRoot.appendingPathComponent(script).path
        let result = try await Subprocess.run(try interpreter(), [scriptPath] + arguments, input: input)
        guard result.status == 0 else {
            throw Missing(description: "\(script) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }
}
