/// The chunks WebRTC's SCTP uses (RFC 9260 §3.3, RFC 3758 §3.2, RFC 6525 §3.1); anything else is
/// `.unknown` and handled by its type's upper two bits.
public enum SCTPChunk: Equatable, Sendable {
    case data(DataChunk)
    case initiation(InitChunk)
    case initiationAck(InitChunk)
    case sack(SackChunk)
    case heartbeat(HeartbeatChunk)
    case heartbeatAck(HeartbeatChunk)
    case abort(AbortChunk)
    case shutdown(ShutdownChunk)
    case shutdownAck
    case error(ErrorChunk)
    case cookieEcho(CookieEchoChunk)
    case cookieAck
    case shutdownComplete(tagReflected: Bool)
    case reconfig(ReconfigChunk)
    case forwardTSN(ForwardTSNChunk)
    case unknown(type: UInt8, flags: UInt8, value: [UInt8])

    public enum ChunkType: UInt8 {
        case data = 0, initiation = 1, initiationAck = 2, sack = 3, heartbeat = 4, heartbeatAck = 5
        case abort = 6, shutdown = 7, shutdownAck = 8, error = 9, cookieEcho = 10, cookieAck = 11
        case shutdownComplete = 14, reconfig = 130, forwardTSN = 192
    }

    static func parse(type: UInt8, flags: UInt8, value: ArraySlice<UInt8>) throws(SCTPWireError) -> SCTPChunk {
        guard let known = ChunkType(rawValue: type) else {
            return .unknown(type: type, flags: flags, value: Array(value))
        }
        switch known {
        case .data: return .data(try DataChunk(flags: flags, value: value))
        case .initiation: return .initiation(try InitChunk(value: value, what: "INIT"))
        case .initiationAck: return .initiationAck(try InitChunk(value: value, what: "INIT ACK"))
        case .sack: return .sack(try SackChunk(value: value))
        case .heartbeat: return .heartbeat(try HeartbeatChunk(value: value))
        case .heartbeatAck: return .heartbeatAck(try HeartbeatChunk(value: value))
        case .abort: return .abort(try AbortChunk(flags: flags, value: value))
        case .shutdown: return .shutdown(try ShutdownChunk(value: value))
        case .shutdownAck: return .shutdownAck
        case .error: return .error(try ErrorChunk(value: value))
        case .cookieEcho: return .cookieEcho(CookieEchoChunk(cookie: Array(value)))
        case .cookieAck: return .cookieAck
        case .shutdownComplete: return .shutdownComplete(tagReflected: flags & 1 == 1)
        case .reconfig: return .reconfig(try ReconfigChunk(value: value))
        case .forwardTSN: return .forwardTSN(try ForwardTSNChunk(value: value))
        }
    }

    /// Appends the chunk header, value and padding.
    func serialize(into out: inout [UInt8]) {
        let start = out.count
        out.append(0); out.append(0); out.appendU16(0)
        let (type, flags): (UInt8, UInt8)
        switch self {
        case .data(let chunk): type = 0; flags = chunk.flags; chunk.serializeValue(into: &out)
        case .initiation(let chunk): type = 1; flags = 0; chunk.serializeValue(into: &out)
        case .initiationAck(let chunk): type = 2; flags = 0; chunk.serializeValue(into: &out)
        case .sack(let chunk): type = 3; flags = 0; chunk.serializeValue(into: &out)
        case .heartbeat(let chunk): type = 4; flags = 0; chunk.serializeValue(into: &out)
        case .heartbeatAck(let chunk): type = 5; flags = 0; chunk.serializeValue(into: &out)
        case .abort(let chunk): type = 6; flags = chunk.tagReflected ? 1 : 0; chunk.serializeValue(into: &out)
        case .shutdown(let chunk): type = 7; flags = 0; chunk.serializeValue(into: &out)
        case .shutdownAck: type = 8; flags = 0
        case .error(let chunk): type = 9; flags = 0; chunk.serializeValue(into: &out)
        case .cookieEcho(let chunk): type = 10; flags = 0; out.append(contentsOf: chunk.cookie)
        case .cookieAck: type = 11; flags = 0
        case .shutdownComplete(let reflected): type = 14; flags = reflected ? 1 : 0
        case .reconfig(let chunk): type = 130; flags = 0; chunk.serializeValue(into: &out)
        case .forwardTSN(let chunk): type = 192; flags = 0; chunk.serializeValue(into: &out)
        case .unknown(let unknownType, let unknownFlags, let value):
            type = unknownType; flags = unknownFlags; out.append(contentsOf: value)
        }
        // The length counts the padding of every parameter but the last (RFC 9260 §3.2).
        let length = out.count - start - trailingParameterPadding
        out[start] = type
        out[start + 1] = flags
        out[start + 2] = UInt8(truncatingIfNeeded: length >> 8)
        out[start + 3] = UInt8(truncatingIfNeeded: length)
        out.padTo4()
    }

    private var trailingParameterPadding: Int {
        let last: SCTPParameter?
        switch self {
        case .initiation(let chunk), .initiationAck(let chunk): last = chunk.parameters.last
        case .heartbeat(let chunk), .heartbeatAck(let chunk): last = chunk.parameters.last
        case .abort(let chunk): last = chunk.causes.last
        case .error(let chunk): last = chunk.causes.last
        default: last = nil  // RE-CONFIG parameters are all multiples of four but for odd stream lists
        }
        if case .reconfig(let chunk) = self, case .outgoingReset(_, _, _, let streams)? = chunk.parameters.last {
            return streams.count % 2 == 1 ? 2 : 0
        }
        if case .reconfig(let chunk) = self, case .incomingReset(_, let streams)? = chunk.parameters.last {
            return streams.count % 2 == 1 ? 2 : 0
        }
        guard let last else { return 0 }
        return (4 - last.value.count % 4) % 4
    }

    /// Bytes on the wire including padding (for packing chunks into one MTU).
    var serializedSize: Int {
        var scratch: [UInt8] = []
        if case .data(let chunk) = self { return 16 + (chunk.userData.count + 3) / 4 * 4 }
        serialize(into: &scratch)
        return scratch.count
    }
}
