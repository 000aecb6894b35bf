import ArgumentParser

/// `steadfast token`: LiveKit access tokens.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create and verify LiveKit access tokens (keys from LIVEKIT_API_KEY / LIVEKIT_API_SECRET).",
        subcommands: [TokenCreateCommand.self, TokenVerifyCommand.self])
}
