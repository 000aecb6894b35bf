import Foundation
import Logging
import TestSupport
@testable import LiveKitServer

/// Runs a real `LiveKitServer` on 127.0.0.1 with free ports for the duration of `body`.
enum ServerHarness {
    static let key = "devkey"
    static let secret = "secret"

    static func withServer<T: Sendable>(
        _ configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (LiveKitServer) async throws -> T
    ) async throws -> T {
        var configuration = ServerConfiguration(keys: .development)
        configuration.port = 0
        configuration.rtcPort = 0
        configure(&configuration)
        var logger = Logger(label: "test.server")
        logger.logLevel = .warning
        let server = try await LiveKitServer(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await server.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(server)
        }
    }

    /// Runs a script of `Tests/LiveKitServerTests/python` and returns the JSON object it prints last.
    static func python(_ script: String, _ arguments: [String]) async throws -> ScriptResult {
        let output = try await InteropPython.run(script: "Tests/LiveKitServerTests/python/\(script)", arguments)
        guard let line = output.split(separator: "\n").last,
              (try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any] else {
            throw InteropPython.Missing(description: "\(script) printed no JSON object: \(output.suffix(500))")
        }
        return ScriptResult(json: Data(line.utf8))
    }
}

/// The JSON object a Python script printed, kept as bytes so it can leave a task.
struct ScriptResult: Sendable, CustomStringConvertible {
    let json: Data

    subscript(key: String) -> Any? {
        ((try? JSONSerialization.jsonObject(with: json)) as? [String: Any])?[key]
    }

    var description: String { String(decoding: json, as: UTF8.self) }
}
