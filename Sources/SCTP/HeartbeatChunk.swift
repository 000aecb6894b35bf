/// HEARTBEAT and HEARTBEAT ACK (RFC 9260 §3.3.5–3.3.6): a Heartbeat Info parameter (type 1) that
/// the ACK echoes back unchanged.
public struct HeartbeatChunk: Equatable, Sendable {
    public var parameters: [SCTPParameter]

    public static let heartbeatInfo: UInt16 = 1

    public init(info: [UInt8]) {
        parameters = [SCTPParameter(type: Self.heartbeatInfo, value: info)]
    }

    init(value: ArraySlice<UInt8>) throws(SCTPWireError) {
        parameters = try SCTPParameter.parseAll(value, what: "HEARTBEAT")
        guard parameters.contains(where: { $0.type == Self.heartbeatInfo }) else { throw .malformed("HEARTBEAT without Heartbeat Info") }
    }

    func serializeValue(into out: inout [UInt8]) {
        for parameter in parameters { parameter.serialize(into: &out) }
    }
}
