import ArgumentParser
import Foundation
import LiveKitServer
import Logging
import SteadfastConfig

/// Ports of the embedded server that the `dev` modes run when LIVEKIT_URL is not set.
struct DevServerOptions: ParsableArguments {
    @Option(help: "dev without LIVEKIT_URL: port of the embedded LiveKit server (HTTP, /rtc, /agent); 0 picks one.")
    var port = 7880
    @Option(help: "dev without LIVEKIT_URL: the embedded server's UDP media port; 0 picks one.")
    var rtcPort = 7882

    func validate() throws {
        try OptionRange.check(port, in: 0...65_535, flag: "--port", meaning: "0 picks a free port")
        try OptionRange.check(rtcPort, in: 0...65_535, flag: "--rtc-port", meaning: "0 picks a free port")
    }
}

/// The embedded LiveKit server a `dev` mode runs in-process when no LIVEKIT_URL is set, so one
/// command is a whole development environment: the server on loopback and the worker against it.
final class EmbeddedDevServer: Sendable {
    let url: URL
    let apiKey: String
    let apiSecret: Secret
    /// The server's loop. Cancelled by `stop()`, which the dev mode calls when its worker ends;
    /// the process exits right after either way.
    private let task: Task<Void, Never>

    /// Keys: LIVEKIT_API_KEY/LIVEKIT_API_SECRET when both are set, else LiveKit's dev pair (devkey/secret).
    static func start(options: DevServerOptions, variables: [String: String]) async throws -> EmbeddedDevServer {
        var keys = ServerKeys.development
        if let key = variables["LIVEKIT_API_KEY"], let secret = variables["LIVEKIT_API_SECRET"], !key.isEmpty, !secret.isEmpty {
            do { keys = try ServerKeys(arguments: ["\(key):\(secret)"]) } catch { throw CommandFailure("\(error)") }
        }
        var configuration = ServerConfiguration(keys: keys)
        configuration.port = options.port
        configuration.rtcPort = options.rtcPort
        let server: LiveKitServer
        do {
            server = try await LiveKitServer(configuration: configuration, logger: Logger(label: "steadfast.server"))
        } catch {
            throw CommandFailure("cannot start the embedded LiveKit server on 127.0.0.1:\(options.port): \(error)")
        }
        guard let url = URL(string: server.url), let (key, secret) = keys.secrets.min(by: { $0.key < $1.key }) else {
            throw CommandFailure("the embedded LiveKit server has no usable URL or key")
        }
        let usesDevKey = key == "devkey"
        printFlushed("Embedded LiveKit server: LIVEKIT_URL=\(server.url)"
            + (usesDevKey ? " (API key devkey, secret \"secret\")" : " (API key from LIVEKIT_API_KEY)"))
        return EmbeddedDevServer(url: url, apiKey: key, apiSecret: Secret(secret), task: Task { await server.run() })
    }

    private init(url: URL, apiKey: String, apiSecret: Secret, task: Task<Void, Never>) {
        self.url = url
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.task = task
    }

    func stop() { task.cancel() }
}
