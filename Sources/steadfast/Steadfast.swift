import ArgumentParser

/// The `steadfast` command. Subcommands only; each lives in its own file and holds wiring, not logic.
@main
struct Steadfast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steadfast",
        abstract: "A LiveKit voice-agent worker that never goes silent.",
        version: SteadfastVersion.current,
        subcommands: [TokenCommand.self, AskCommand.self, ProvidersCommand.self, ConsoleCommand.self, StartCommand.self, DevCommand.self,
                      DevBulletproofCommand.self, DevOpenRouterCommand.self, WorkerCommand.self, RTCCommand.self, ServerCommand.self])
}
