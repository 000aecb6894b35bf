import ArgumentParser
import Foundation
import LiveKitProtocol
import SteadfastConfig

/// `steadfast token create`: prints a signed JWT that joins one room.
struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Print an access token that joins a room.",
        discussion: "Example: steadfast token create --identity caller --room demo --dispatch-agent assistant")

    @OptionGroup var configurationOptions: ConfigurationOptions

    @Option(help: "Participant identity (the JWT sub).") var identity: String
    @Option(help: "Room the token may join.") var room: String
    @Option(help: "Display name.") var name: String?
    @Flag(help: "Mark the participant as an agent (kind=agent and video.agent).") var agent = false
    @Option(help: "Lifetime, e.g. 90s, 15m, 6h, 1d, 1h30m.") var ttl = "6h"
    @Flag(inversion: .prefixedNo, help: "Allow publishing tracks (default: allowed).") var canPublish: Bool?
    @Flag(inversion: .prefixedNo, help: "Allow subscribing (default: allowed).") var canSubscribe: Bool?
    @Flag(inversion: .prefixedNo, help: "Allow data messages (default: as --can-publish).") var canPublishData: Bool?
    @Flag(inversion: .prefixedNo, help: "Allow changing own metadata and attributes (default: denied).")
    var canUpdateOwnMetadata: Bool?
    @Option(help: "Only these sources may be published: camera, microphone, screen_share, screen_share_audio.")
    var canPublishSource: [String] = []
    @Flag(help: "Administer the room (needed for the dispatch API).") var roomAdmin = false
    @Flag(help: "Hide the participant from others.") var hidden = false
    @Option(help: "Participant metadata (free text, often JSON).") var metadata: String?
    @Option(help: "Participant attribute as key=value; repeatable.") var attribute: [String] = []
    @Option(help: "Dispatch this agent when the room is created; repeatable.") var dispatchAgent: [String] = []

    static let publishSources: Set<String> = ["camera", "microphone", "screen_share", "screen_share_audio"]

    func validate() throws {
        guard !identity.isEmpty else { throw ValidationError("--identity must not be empty.") }
        guard !room.isEmpty else { throw ValidationError("--room must not be empty.") }
        guard let lifetime = DurationParser.parse(ttl), lifetime > .zero else {
            throw ValidationError("--ttl \(ttl) is not a duration; use forms like 90s, 15m, 6h, 1d or 1h30m.")
        }
        for pair in attribute where !pair.contains("=") || pair.hasPrefix("=") {
            throw ValidationError("--attribute \(pair) must be key=value.")
        }
        for source in canPublishSource where !Self.publishSources.contains(source) {
            throw ValidationError(
                "--can-publish-source \(source) is not one of \(Self.publishSources.sorted().joined(separator: ", ")).")
        }
    }

    func run() async throws {
        let config = try configurationOptions.load()
        let credentials: (apiKey: String, apiSecret: Secret)
        do { credentials = try config.requireLiveKitCredentials(for: "steadfast token create") } catch {
            throw CommandFailure(error.message)
        }
        var token = AccessToken(
            apiKey: credentials.apiKey, apiSecret: credentials.apiSecret.unredactedValue, identity: identity,
            timeToLive: DurationParser.parse(ttl) ?? AccessToken.defaultTimeToLive)
        token.grants.name = name ?? ""
        token.grants.metadata = metadata ?? ""
        for pair in attribute {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            token.grants.attributes[String(parts[0])] = String(parts[1])
        }
        var video = VideoGrant.join(room: room)
        video.canPublish = canPublish
        video.canSubscribe = canSubscribe
        video.canPublishData = canPublishData
        video.canUpdateOwnMetadata = canUpdateOwnMetadata
        video.canPublishSources = canPublishSource
        video.roomAdmin = roomAdmin
        video.hidden = hidden
        if agent {
            video.agent = true
            token.grants.kind = .agent
        }
        token.grants.video = video
        if !dispatchAgent.isEmpty {
            token.grants.roomConfig = .with { config in
                config.agents = dispatchAgent.map { name in .with { $0.agentName = name } }
            }
        }
        do { printFlushed(try token.jwt()) } catch { throw CommandFailure(error.message) }
    }
}
