import Foundation
import LiveKitProtocol
import SansIO
import SwiftProtobuf

/// The embedded LiveKit server's rooms, participants, workers and jobs as one sans-IO state machine.
///
/// The driver verifies tokens at the HTTP edge (a refused token never upgrades), then feeds
/// `handle(_:now:)` with opened connections, binary frames, closes and Twirp calls, in arrival
/// order, carries out `pollOutput()` (send a frame, close a connection, answer a call) and feeds
/// `Self.timeout` at `nextDeadline`. No sockets, clocks or threads inside: tests drive it on a
/// virtual clock. A malformed frame is reported and dropped; it never affects another room.
///
/// One core holds signalling, agent dispatch and the Twirp API because they act on the same rooms:
/// a join creates a room, which dispatches agents; an API call removes a participant, whose
/// signalling connection closes.
public struct ServerCore: ProtocolCore {
    public typealias Instant = ContinuousClock.Instant
    /// The driver's handle for one WebSocket.
    public typealias ConnectionID = UInt64
    /// The driver's handle for one Twirp request awaiting its answer.
    public typealias RequestID = UInt64

    public static var timeout: Input { .timeout }

    public enum Input: Sendable {
        /// A `/rtc` WebSocket opened with a verified token: join.
        case signalOpened(ConnectionID, SignalJoin)
        /// One binary frame on `/rtc` (a `SignalRequest`).
        case signalFrame(ConnectionID, Data)
        case signalClosed(ConnectionID)
        /// An `/agent` WebSocket opened with a verified token carrying the agent grant.
        case workerOpened(ConnectionID)
        /// One binary frame on `/agent` (a `WorkerMessage`).
        case workerFrame(ConnectionID, Data)
        case workerClosed(ConnectionID)
        /// A frame the transport refused before decoding (a text frame): reported, dropped.
        case refusedFrame(ConnectionID, reason: String)
        /// A Twirp call with the grants of its verified token.
        case api(RequestID, APICall, grants: ClaimGrants)
        /// What the media plane reports (answers, offers, arrived tracks, connection states).
        case media(MediaEvent)
        case timeout
    }

    public enum Output: Sendable {
        /// Send one binary WebSocket frame.
        case send(ConnectionID, Data)
        /// Close the WebSocket (after the frames queued before this output).
        case close(ConnectionID, reason: String)
        /// Answer a Twirp call.
        case reply(RequestID, APIResult)
        /// Ask the media plane to act (answer an offer, subscribe, forget a participant).
        case media(MediaCommand)
        case event(ServerEvent)
    }

    public let configuration: ServerConfiguration
    var rooms: [String: ServerRoom] = [:]
    /// Which room and participant a signalling connection carries.
    var signalConnections: [ConnectionID: (room: String, sid: String)] = [:]
    /// Which room each participant sid is in (the media plane speaks in sids).
    var participantRooms: [String: String] = [:]
    /// The id of each participant's last publisher offer, echoed in our answer; and our offer counter.
    var offerIDs: [String: UInt32] = [:]
    var subscriberOfferID: UInt32 = 0
    var workers: [ConnectionID: ServerWorker] = [:]
    var jobs: [String: ServerJob] = [:]
    var deadlines: [Deadline: Instant] = [:]
    var outputs = OutputQueue<Output>()
    var random: SplitMix64
    /// Maps the core's clock onto wall-clock time for the fields LiveKit carries in Unix time.
    let epoch: (instant: Instant, unixMilliseconds: Int64)
    var now: Instant

    enum Deadline: Hashable {
        /// Nothing received on a signalling connection for `pingTimeout`: it is stale.
        case signalStale(ConnectionID)
        case roomEmpty(String)
        case register(ConnectionID)
        case availability(String)
    }

    /// - Parameters:
    ///   - epoch: `now` and the wall clock at the same moment (the driver reads both once).
    ///   - seed: seeds the sid generator; the driver passes a random one, tests a fixed one.
    public init(configuration: ServerConfiguration, epoch: (instant: Instant, unixMilliseconds: Int64), seed: UInt64) {
        self.configuration = configuration
        self.epoch = epoch
        self.now = epoch.instant
        random = SplitMix64(seed: seed)
    }

    public var nextDeadline: Instant? { deadlines.values.min() }

    /// Rooms open now (for logs and tests).
    public var roomNames: [String] { rooms.keys.sorted() }

    public mutating func pollOutput() -> Output? { outputs.popFirst() }

    public mutating func handle(_ input: Input, now: Instant) {
        self.now = max(self.now, now)
        switch input {
        case .signalOpened(let connection, let join): signalOpened(connection, join)
        case .signalFrame(let connection, let data): signalFrame(connection, data)
        case .signalClosed(let connection): signalClosed(connection)
        case .workerOpened(let connection): workerOpened(connection)
        case .workerFrame(let connection, let data): workerFrame(connection, data)
        case .workerClosed(let connection): workerClosed(connection)
        case .api(let request, let call, let grants): outputs.append(.reply(request, perform(call, grants: grants)))
        case .media(let event): mediaEvent(event)
        case .refusedFrame(let connection, let reason):
            outputs.append(.event(.protocolError("connection \(connection): \(reason); dropped")))
        case .timeout: fireDeadlines()
        }
    }

    private mutating func fireDeadlines() {
        let due = deadlines.filter { $0.value <= now }.sorted { $0.value < $1.value }
        for (key, _) in due {
            deadlines[key] = nil
            switch key {
            case .signalStale(let connection):
                outputs.append(.event(.protocolError("signal connection \(connection) sent nothing for \(configuration.pingTimeout) s")))
                removeSignal(connection, reason: .connectionTimeout, closeReason: "ping timeout")
            case .roomEmpty(let name):
                closeRoomIfEmpty(name)
            case .register(let connection):
                outputs.append(.close(connection, reason: "no register message within \(configuration.registerTimeout)"))
                workerClosed(connection)
            case .availability(let jobID):
                availabilityTimedOut(jobID)
            }
        }
    }

    // MARK: Shared helpers

    /// Unix time of `now` in milliseconds.
    var unixMilliseconds: Int64 {
        let elapsed = now - epoch.instant
        return epoch.unixMilliseconds + elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }

    var wallClock: Date { Date(timeIntervalSince1970: Double(unixMilliseconds) / 1000) }

    /// A LiveKit-style id: the prefix the SDKs check (`PA_`, `RM_`, `TR_`, …) and 12 base-62 characters.
    mutating func makeID(_ prefix: String) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var id = prefix
        for _ in 0..<12 { id.append(alphabet[Int(random.next() % UInt64(alphabet.count))]) }
        return id
    }

    mutating func send(_ response: Livekit_SignalResponse, to connection: ConnectionID) {
        guard let data = try? response.serializedBytes() as Data else { return }
        outputs.append(.send(connection, data))
    }

    mutating func send(_ message: Livekit_ServerMessage, toWorker connection: ConnectionID) {
        guard let data = try? message.serializedBytes() as Data else { return }
        outputs.append(.send(connection, data))
    }

    var serverInfo: Livekit_ServerInfo {
        var info = Livekit_ServerInfo()
        info.edition = .standard
        info.version = configuration.serverVersion
        info.protocol = ServerConfiguration.protocolVersion
        info.nodeID = configuration.nodeID
        info.agentProtocol = 1
        return info
    }
}

/// What the core reports for logs and tests.
public enum ServerEvent: Sendable, Equatable {
    case roomCreated(String)
    case roomClosed(String)
    case participantJoined(room: String, identity: String, sid: String)
    case participantLeft(room: String, identity: String, reason: String)
    case workerRegistered(workerID: String, agentName: String)
    case workerLeft(workerID: String)
    case jobOffered(jobID: String, workerID: String)
    case jobAssigned(jobID: String, room: String, workerID: String)
    case jobEnded(jobID: String, status: String)
    /// A peer sent something malformed or not allowed; one line, safe to log (no tokens).
    case protocolError(String)
}
