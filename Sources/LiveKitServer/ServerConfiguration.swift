import Foundation

/// How the embedded server listens and the limits it keeps. Defaults follow `livekit-server --dev`.
public struct ServerConfiguration: Sendable {
    /// The protocol version the server speaks (LiveKit's `CurrentProtocol` at the time of writing).
    public static let protocolVersion: Int32 = 16

    /// Loopback by default: a non-loopback host is an explicit choice.
    public var host = "127.0.0.1"
    /// HTTP and WebSocket port (LiveKit's 7880); 0 picks a free one.
    public var port = 7880
    /// The one UDP port for every peer connection (LiveKit's `rtc.udp_port`, 7882 in `--dev`); 0 picks a free one.
    public var rtcPort = 7882
    public var keys: ServerKeys
    /// Reported as `server_info.version`; SDKs only log it.
    public var serverVersion = "1.9.0-steadfast"
    public var nodeID = "ND_steadfast"
    /// Seconds between the client's pings, and without any message before a connection is stale
    /// (LiveKit sends 5 and 15; the Rust SDK panics on an interval of 0).
    public var pingInterval: Int32 = 5
    public var pingTimeout: Int32 = 15
    /// How long a room nobody joined stays open (LiveKit's default empty timeout).
    public var emptyTimeout: UInt32 = 300
    /// How long a room stays open after its last participant (LiveKit's default departure timeout).
    public var departureTimeout: UInt32 = 20
    /// Bounds against join floods: rooms, participants per room, workers.
    public var maximumRooms = 1024
    public var maximumParticipantsPerRoom = 256
    public var maximumWorkers = 256
    /// The `/agent` timeouts LiveKit uses: register within 10 s, answer an availability request within 10 s.
    public var registerTimeout: Duration = .seconds(10)
    public var availabilityTimeout: Duration = .seconds(10)
    /// Agent tokens minted for assignments live one hour (LiveKit's `BuildAgentToken`).
    public var agentTokenLifetime: Duration = .seconds(3600)
    /// The largest WebSocket message and Twirp body accepted.
    public var maximumMessageSize = 1 << 20

    public init(keys: ServerKeys) { self.keys = keys }

    /// The URL clients use: `ws://host:port`.
    public func url(port: Int) -> String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "ws://\(shown):\(port)"
    }
}
