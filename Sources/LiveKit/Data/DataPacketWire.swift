import Foundation
import LiveKitProtocol
import SwiftProtobuf

/// Which data channel a packet travels on: `_reliable` (ordered, retransmitted) or `_lossy`
/// (unordered, no retransmissions), the two every LiveKit client opens on its publisher connection.
public enum DataKind: String, Sendable, Hashable {
    case reliable, lossy

    /// The data channel label LiveKit gives this kind.
    public var label: String { self == .reliable ? "_reliable" : "_lossy" }

    public init?(label: String) {
        switch label {
        case "_reliable": self = .reliable
        case "_lossy": self = .lossy
        default: return nil
        }
    }

    var proto: Livekit_DataPacket.Kind { self == .reliable ? .reliable : .lossy }
}

/// The one wire format on LiveKit's data channels: each message is one protobuf `DataPacket`
/// (livekit_models.proto; the server forwards it with `participant_identity` set to the sender).
/// Decoding is bounded: a message over `maxBytes` is refused before it is parsed.
enum DataPacketWire {
    /// The largest message we parse: LiveKit's own packets are at most a 15 KiB stream chunk plus
    /// headers; user packets up to the SCTP `max-message-size` we advertise (256 KiB).
    static let maxBytes = 262_144

    static func decode(_ bytes: Data) throws(RoomDataError) -> Livekit_DataPacket {
        guard bytes.count <= maxBytes else {
            throw RoomDataError("a data packet of \(bytes.count) bytes is over the \(maxBytes)-byte limit")
        }
        do { return try Livekit_DataPacket(serializedBytes: bytes) } catch {
            throw RoomDataError("a data message of \(bytes.count) bytes is not a DataPacket: \(error)")
        }
    }

    static func encode(_ value: Livekit_DataPacket.OneOf_Value, kind: DataKind, destinations: [String],
                       senderIdentity: String?, sequence: UInt32) -> Data {
        var packet = Livekit_DataPacket()
        packet.kind = kind.proto
        packet.destinationIdentities = destinations
        if let senderIdentity { packet.participantIdentity = senderIdentity }
        packet.sequence = sequence
        packet.value = value
        // Serialising a message we built cannot fail (no required fields, no unknown enums).
        return (try? packet.serializedData()) ?? Data()
    }
}

/// Bad input on the data plane: one line saying what was refused; the room carries on.
public struct RoomDataError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
