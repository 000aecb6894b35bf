import ArgumentParser
import Foundation
import LiveKitServer
import Logging

/// Flags of the embedded LiveKit server, shared by `server` and (without LIVEKIT_URL) the `dev` modes.
struct ServerOptions: ParsableArguments {
    @Flag(help: "Use LiveKit's development key pair (API key devkey, secret \"secret\"), as livekit-server --dev does.")
    var dev = false
    @Option(help: "Address to listen on. Loopback by default; another address exposes the server to that network.")
    var host = "127.0.0.1"
    @Option(help: "HTTP/WebSocket port (/rtc, /agent, /twirp); 0 picks a free one.") var port = 7880
    @Option(help: "The one UDP port for media; 0 picks a free one.") var rtcPort = 7882
    @Option(parsing: .upToNextOption, help: "API keys as KEY:SECRET (repeatable); default: LIVEKIT_API_KEY/LIVEKIT_API_SECRET.")
    var keys: [String] = []

    func validate() throws {
        try OptionRange.check(port, in: 0...65_535, flag: "--port", meaning: "0 picks a free port")
        try OptionRange.check(rtcPort, in: 0...65_535, flag: "--rtc-port", meaning: "0 picks a free port")
        if dev && !keys.isEmpty { throw ValidationError("--dev and --keys are exclusive: --dev means the key devkey") }
    }

    /// The configuration these flags and `variables` (environment over `.env`) describe.
    func configuration(variables: [String: String]) throws -> ServerConfiguration {
        let serverKeys: ServerKeys
        do {
            if dev {
                serverKeys = .development
            } else if !keys.isEmpty {
                serverKeys = try ServerKeys(arguments: keys)
            } else if let key = variables["LIVEKIT_API_KEY"], let secret = variables["LIVEKIT_API_SECRET"] {
                serverKeys = try ServerKeys(arguments: ["\(key):\(secret)"])
            } else {
                throw ServerError.configuration(
                    "no API keys: pass --dev, --keys KEY:SECRET, or set LIVEKIT_API_KEY and LIVEKIT_API_SECRET")
            }
        } catch { throw CommandFailure("\(error)") }
        var configuration = ServerConfiguration(keys: serverKeys)
        configuration.host = host
        configuration.port = port
        configuration.rtcPort = rtcPort
        return configuration
    }
}

/// `steadfast server`: the embedded LiveKit-compatible server, for development without an account,
/// a download or the internet.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run an embedded LiveKit-compatible server (signalling, Twirp API, agent dispatch).")

    @OptionGroup var configurationOptions: ConfigurationOptions
    @OptionGroup var server: ServerOptions

    func run() async throws {
        _ = try configurationOptions.load()
        let configuration = try server.configuration(variables: (try? configurationOptions.variables()) ?? [:])
        if server.dev {
            printFlushed("Development mode: API key devkey, API secret \"secret\" (never use these outside your machine).")
        }
        if !["127.0.0.1", "::1", "localhost"].contains(configuration.host) {
            printFlushed("Listening on \(configuration.host): reachable from that network, not only this machine.")
        }
        let live: LiveKitServer
        do {
            live = try await LiveKitServer(configuration: configuration, logger: Logger(label: "steadfast.server"))
        } catch {
            throw CommandFailure("cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        printFlushed("LiveKit server ready: LIVEKIT_URL=\(live.url)")
        await live.run()
    }
}
