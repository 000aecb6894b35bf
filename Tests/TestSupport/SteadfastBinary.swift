import Foundation

/// The `steadfast` executable the CLI, interop and server tests run.
public enum SteadfastBinary {
    /// `$STEADFAST_BIN`, else the `steadfast` built next to this test bundle, else `.build/debug/steadfast`.
    public static func path() throws -> String {
        if let path = ProcessInfo.processInfo.environment["STEADFAST_BIN"] { return path }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("steadfast"),
            InteropPython.packageRoot.appendingPathComponent(".build/debug/steadfast"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw InteropPython.Missing(description: "steadfast binary not found; run `swift build` first")
        }
        return found.path
    }
}
