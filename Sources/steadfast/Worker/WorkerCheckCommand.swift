import ArgumentParser
import Foundation
import LiveKit
import Logging
import SteadfastConfig

/// `steadfast worker`: worker diagnostics.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Agent-worker diagnostics.", subcommands: [WorkerCheckCommand.self])
}

/// `steadfast worker check`: registers with the LiveKit server as a worker, reports what the server
/// said, and leaves. It answers the question "will my worker connect?" (URL, TLS, API key and
/// secret, agent name) without running a job: offers that arrive meanwhile are declined.
struct WorkerCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Register with LIVEKIT_URL as an agent worker, report the result, and leave.")

    @OptionGroup var configurationOptions: ConfigurationOptions
    @Option(help: "The agent name to register (explicit dispatch); empty for automatic dispatch.") var agentName = ""
    @Option(help: "Seconds to wait for the registration.") var timeout = 15

    func validate() throws { try OptionRange.check(timeout, in: 1...3_600, flag: "--timeout") }

    func run() async throws {
        let config = try configurationOptions.load(quietByDefault: true)
        let command = "steadfast worker check"
        let credentials: (apiKey: String, apiSecret: Secret)
        let url: URL
        do {
            url = try config.require(config.livekit.url, "LIVEKIT_URL", for: command)
            credentials = try config.requireLiveKitCredentials(for: command)
        } catch { throw CommandFailure(error.message) }
        // The command reports the outcome in one line itself; at the default (quiet) level the
        // driver's own warnings would only repeat it.
        var logger = Logger(label: "steadfast.worker")
        if logger.logLevel >= .warning { logger.logLevel = .critical }
        let driver: WorkerDriver
        do {
            driver = try WorkerDriver(url: url, apiKey: credentials.apiKey, apiSecret: credentials.apiSecret,
                                      configuration: WorkerConfiguration(agentName: agentName, maximumReconnectAttempts: 0),
                                      logger: logger)
        } catch { throw CommandFailure(error.message) }
        let running = Task { await driver.run() }
        let deadline = Task {
            try? await Task.sleep(for: .seconds(timeout))
            running.cancel()
        }
        var outcome: Result<String, CommandFailure> = .failure(CommandFailure(
            "no answer from \(url.absoluteString) within \(timeout) s"))
        for await event in driver.events {
            switch event {
            case .registered(let workerID, let version):
                outcome = .success("Registered with \(url.absoluteString) as worker \(workerID)"
                                   + (version.isEmpty ? "" : " (LiveKit \(version))")
                                   + (agentName.isEmpty ? ", automatic dispatch" : ", agent name \"\(agentName)\""))
                driver.drain()
            case .jobOffered(let job):
                driver.reject(jobID: job.id)
            case .disconnected(let reason):
                if case .failure = outcome { outcome = .failure(CommandFailure("could not register: \(Self.explain(reason))")) }
            default:
                break
            }
        }
        deadline.cancel()
        await running.value
        switch outcome {
        case .success(let line): printFlushed(line)
        case .failure(let failure): throw failure
        }
    }

    /// The WebSocket library cannot say why an upgrade was refused; say what it usually means.
    static func explain(_ reason: String) -> String {
        guard reason.localizedCaseInsensitiveContains("upgrade failed") else { return reason }
        return "the server refused the WebSocket upgrade (a wrong LIVEKIT_API_KEY or LIVEKIT_API_SECRET gives "
            + "401, a URL that is not a LiveKit server 404)"
    }
}
