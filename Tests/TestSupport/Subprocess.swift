import Foundation
import Synchronization

/// Runs a helper program to completion and captures its output. Test plumbing only.
public struct SubprocessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum Subprocess {
    /// Runs `executable` with `arguments`, feeding `input` on stdin, and waits on a thread of its
    /// own: tests run in parallel on a small cooperative pool, and a blocking wait there would stall
    /// every other suite (and their timing assertions) until the child exits.
    public static func run(
        _ executable: String, _ arguments: [String], input: String = "", environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) async throws -> SubprocessResult {
        // One child at a time: a burst of Python interpreters starting together would saturate
        // both cores of a CI machine for seconds and starve every timing-sensitive test running beside them.
        await SubprocessGate.shared.acquire()
        defer { SubprocessGate.shared.release() }
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try runBlocking(executable, arguments, input: input, environment: environment,
                                    currentDirectory: currentDirectory)
                })
            }
        }
    }

    /// Blocking form. Output is read on background threads so a chatty child cannot deadlock on a full pipe.
    public static func runBlocking(
        _ executable: String, _ arguments: [String], input: String = "", environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) throws -> SubprocessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let outBox = DataBox(), errBox = DataBox()
        let group = DispatchGroup()
        for (pipe, box) in [(stdout, outBox), (stderr, errBox)] {
            group.enter()
            DispatchQueue.global().async {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return SubprocessResult(
            status: process.terminationStatus,
            stdout: String(decoding: outBox.data, as: UTF8.self),
            stderr: String(decoding: errBox.data, as: UTF8.self))
    }
}

/// SAFETY: written by exactly one reader thread, read only after `DispatchGroup.wait()`.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// A FIFO async semaphore of width one for `Subprocess.run`.
final class SubprocessGate: Sendable {
    static let shared = SubprocessGate()
    private let state = Mutex<(busy: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func acquire() async {
        await withCheckedContinuation { continuation in
            let runNow = state.withLock { state in
                if state.busy {
                    state.waiters.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if runNow { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.busy = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
