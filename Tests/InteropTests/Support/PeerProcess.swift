import Foundation
import Synchronization

/// A WebRTC peer program driven over JSON lines on stdin/stdout (`steadfast rtc peer`, the pion
/// peer, the aiortc peer). Its stderr goes to a log file kept for diagnosis when a test fails.
final class PeerProcess: @unchecked Sendable {
    // SAFETY: `process` and the pipes are set up in init and only used through thread-safe calls;
    // buffered lines live behind `lines`.
    let name: String
    let logURL: URL
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lines = Mutex<(buffer: [String], partial: Data, closed: Bool)>(([], Data(), false))
    private let arrived = DispatchSemaphore(value: 0)

    init(name: String, executable: String, arguments: [String], directory: URL) throws {
        self.name = name
        logURL = directory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = input
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: logURL)
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.consume(handle.availableData)
        }
        try process.run()
    }

    deinit { terminate() }

    private func consume(_ data: Data) {
        var completed = 0
        lines.withLock { state in
            if data.isEmpty {
                state.closed = true
                completed = 1
                return
            }
            state.partial.append(data)
            while let newline = state.partial.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: state.partial[state.partial.startIndex..<newline], as: UTF8.self)
                state.partial.removeSubrange(state.partial.startIndex...newline)
                if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    state.buffer.append(line)
                    completed += 1
                }
            }
        }
        for _ in 0..<completed { arrived.signal() }
        if data.isEmpty { output.fileHandleForReading.readabilityHandler = nil }
    }

    /// The next JSON line, waiting up to `timeout` on a thread of its own (never on the test pool).
    func readMessage(timeout: Duration) async throws -> [String: Any] {
        let line: String = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { [self] in
                let deadline = DispatchTime.now() + .milliseconds(Int(timeout.components.seconds * 1000))
                while true {
                    if let line = lines.withLock({ $0.buffer.isEmpty ? nil : $0.buffer.removeFirst() }) {
                        continuation.resume(returning: line)
                        return
                    }
                    if lines.withLock({ $0.closed }) {
                        continuation.resume(throwing: PeerFailure("\(name) closed its output; log: \(tail())"))
                        return
                    }
                    if arrived.wait(timeout: deadline) == .timedOut {
                        continuation.resume(throwing: PeerFailure("\(name) said nothing for \(timeout); log: \(tail())"))
                        return
                    }
                }
            }
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw PeerFailure("\(name) printed a line that is not a JSON object: \(line.prefix(200))")
        }
        return object
    }

    func send(_ message: [String: Any]) throws {
        var data = try JSONSerialization.data(withJSONObject: message)
        data.append(UInt8(ascii: "\n"))
        try input.fileHandleForWriting.write(contentsOf: data)
    }

    func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// The end of the peer's log, for failure messages.
    func tail(lines count: Int = 15) -> String {
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(count).joined(separator: "\n")
    }
}

struct PeerFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
