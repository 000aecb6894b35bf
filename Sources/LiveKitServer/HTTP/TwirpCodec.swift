import Foundation
import LiveKitProtocol
import SwiftProtobuf

/// Twirp v7 framing (https://twitchtv.github.io/twirp/docs/spec_v7.html): the method from the path,
/// the body as protobuf (`application/protobuf`, what livekit-api sends) or protojson
/// (`application/json`, what LiveKit's Node SDK sends), the answer in the request's encoding, and
/// errors as `{"code","msg"}` JSON with the spec's HTTP status.
enum TwirpCodec {
    enum Encoding: Sendable {
        case protobuf, json

        init?(contentType: String?) {
            let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            switch type {
            case "application/protobuf", "application/x-protobuf": self = .protobuf
            case "application/json": self = .json
            default: return nil
            }
        }

        var contentType: String { self == .protobuf ? "application/protobuf" : "application/json" }
    }

    /// Decodes the call `service`/`method` names from `body`.
    static func decode(service: String, method: String, body: Data, encoding: Encoding) throws(TwirpError) -> APICall {
        func message<M: SwiftProtobuf.Message>(_: M.Type) throws(TwirpError) -> M {
            do {
                switch encoding {
                case .protobuf: return try M(serializedBytes: body)
                case .json:
                    var options = JSONDecodingOptions()
                    options.ignoreUnknownFields = true
                    return try M(jsonUTF8Data: body.isEmpty ? Data("{}".utf8) : body, options: options)
                }
            } catch {
                throw .malformed("the body is not a valid \(M.protoMessageName)")
            }
        }
        switch (service, method) {
        case ("livekit.RoomService", "CreateRoom"): return .createRoom(try message(Livekit_CreateRoomRequest.self))
        case ("livekit.RoomService", "ListRooms"): return .listRooms(try message(Livekit_ListRoomsRequest.self))
        case ("livekit.RoomService", "DeleteRoom"): return .deleteRoom(try message(Livekit_DeleteRoomRequest.self))
        case ("livekit.RoomService", "ListParticipants"):
            return .listParticipants(try message(Livekit_ListParticipantsRequest.self))
        case ("livekit.RoomService", "GetParticipant"):
            return .getParticipant(try message(Livekit_RoomParticipantIdentity.self))
        case ("livekit.RoomService", "RemoveParticipant"):
            return .removeParticipant(try message(Livekit_RoomParticipantIdentity.self))
        case ("livekit.RoomService", "UpdateParticipant"):
            return .updateParticipant(try message(Livekit_UpdateParticipantRequest.self))
        case ("livekit.RoomService", "MutePublishedTrack"):
            return .mutePublishedTrack(try message(Livekit_MuteRoomTrackRequest.self))
        case ("livekit.RoomService", "SendData"): return .sendData(try message(Livekit_SendDataRequest.self))
        case ("livekit.RoomService", "UpdateRoomMetadata"):
            return .updateRoomMetadata(try message(Livekit_UpdateRoomMetadataRequest.self))
        case ("livekit.AgentDispatchService", "CreateDispatch"):
            return .createDispatch(try message(Livekit_CreateAgentDispatchRequest.self))
        case ("livekit.AgentDispatchService", "ListDispatch"):
            return .listDispatch(try message(Livekit_ListAgentDispatchRequest.self))
        case ("livekit.AgentDispatchService", "DeleteDispatch"):
            return .deleteDispatch(try message(Livekit_DeleteAgentDispatchRequest.self))
        default:
            throw .badRoute("no method \(service.prefix(64))/\(method.prefix(64))")
        }
    }

    /// The answer body in the request's encoding.
    static func encode(_ message: any SwiftProtobuf.Message, encoding: Encoding) -> Data {
        switch encoding {
        case .protobuf: return (try? message.serializedBytes()) ?? Data()
        case .json: return (try? message.jsonUTF8Data()) ?? Data("{}".utf8)
        }
    }

    /// Twirp's error body.
    static func encode(_ error: TwirpError) -> Data {
        let body = ["code": error.code, "msg": error.message]
        return (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
    }
}
