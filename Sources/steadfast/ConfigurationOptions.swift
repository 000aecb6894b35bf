import ArgumentParser
import LiveKit
import Logging
import SteadfastConfig

/// Options every command that reads configuration shares.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("env-file"), help: "Read variables from this file (default: ./.env if present).")
    var envFile: String?

    /// Loads the configuration and sets up stderr logging at its level. Configuration problems
    /// become one clear message and exit code 1.
    /// `quietByDefault` (interactive commands) logs warnings and worse unless STEADFAST_LOG_LEVEL says otherwise.
    /// `jsonLogs` (`start`): one JSON object per line instead of readable text.
    func load(quietByDefault: Bool = false, jsonLogs: Bool = false) throws -> SteadfastConfiguration {
        let loader = ConfigurationLoader(envFile: envFile ?? ".env", envFileIsOptional: envFile == nil)
        let config: SteadfastConfiguration
        do { config = try loader.load() } catch { throw CommandFailure(error.message) }
        // A private CA named in `.env` (not only in the environment) reaches every signalling connection.
        WebSocketTrust.configuredCAFile = config.livekit.caFile
        let explicit = (try? loader.variables())?["STEADFAST_LOG_LEVEL"] != nil
        let level = quietByDefault && !explicit ? .warning : Logger.Level(rawValue: config.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            if jsonLogs { return JSONLogHandler(label: label, level: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return config
    }
}

extension ConfigurationOptions {
    /// The merged variables (the `.env` file under the environment), for settings outside
    /// `SteadfastConfiguration` such as `${VAR}` references in agent files.
    func variables() throws -> [String: String] {
        let loader = ConfigurationLoader(envFile: envFile ?? ".env", envFileIsOptional: envFile == nil)
        do { return try loader.variables() } catch { throw CommandFailure(error.message) }
    }
}

/// A failure the user caused and can fix: printed as `Error: <message>`, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
