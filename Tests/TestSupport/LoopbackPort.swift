import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ports on 127.0.0.1 for tests: bound to port 0 so the kernel picks one nothing uses, then released.
/// Used where a program must be told its port up front (a worker's `--http-port`), or where a test
/// needs an address that refuses connections.
public enum LoopbackPort {
    public struct Failure: Error, CustomStringConvertible { public let description: String }

    public static func unused() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "bind() on 127.0.0.1 failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The scripted LiveKit `/agent` endpoint (`Tests/LiveKitTests/python/agent_server.py`: official
/// `livekit-protocol` frames, tokens verified by `livekit-api`), started with its port read back.
public enum ScriptedAgentServer {
    /// - Parameter lifetime: how long the script waits for its scripted session before it exits. The
    ///   CLI tests queue behind other subprocesses (one child at a time), so they ask for minutes.
    public static func start(apiKey: String, apiSecret: String, lifetime: Int = 300) throws -> (process: Process, port: Int) {
        let process = Process()
        process.environment = ProcessInfo.processInfo.environment.merging(["AGENT_SERVER_LIFETIME": "\(lifetime)"]) { $1 }
        process.executableURL = URL(fileURLWithPath: try InteropPython.interpreter())
        process.arguments = [InteropPython.packageRoot.appendingPathComponent("Tests/LiveKitTests/python/agent_server.py").path,
                             apiKey, apiSecret]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(10) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        let object = try JSONSerialization.jsonObject(with: line.prefix { $0 != 10 }) as? [String: Any]
        guard let port = object?["port"] as? Int else {
            process.terminate()
            throw LoopbackPort.Failure(description: "agent_server.py printed no port")
        }
        return (process, port)
    }
}
