/// RE-CONFIG (RFC 6525 §3.1) with the parameters data channels use to close: Outgoing SSN Reset
/// Request (§4.1), Incoming SSN Reset Request (§4.2) and Re-configuration Response (§4.4). Other
/// reconfiguration parameters are kept raw and answered "denied".
public struct ReconfigChunk: Equatable, Sendable {
    public enum Parameter: Equatable, Sendable {
        case outgoingReset(requestSequence: UInt32, responseSequence: UInt32, senderLastTSN: UInt32, streams: [UInt16])
        case incomingReset(requestSequence: UInt32, streams: [UInt16])
        case response(responseSequence: UInt32, result: ReconfigResult)
        case other(SCTPParameter)
    }

    public var parameters: [Parameter]

    public init(parameters: [Parameter]) { self.parameters = parameters }

    enum ParameterType {
        static let outgoingReset: UInt16 = 13
        static let incomingReset: UInt16 = 14
        static let response: UInt16 = 16
    }

    init(value: ArraySlice<UInt8>) throws(SCTPWireError) {
        let raw = try SCTPParameter.parseAll(value, what: "RE-CONFIG")
        guard (1...2).contains(raw.count) else { throw .malformed("RE-CONFIG with \(raw.count) parameters") }
        parameters = []
        for parameter in raw {
            var reader = ByteReader(parameter.value[...], what: "RE-CONFIG parameter \(parameter.type)")
            switch parameter.type {
            case ParameterType.outgoingReset:
                let request = try reader.u32(), response = try reader.u32(), lastTSN = try reader.u32()
                parameters.append(.outgoingReset(requestSequence: request, responseSequence: response,
                                                 senderLastTSN: lastTSN, streams: try Self.streams(&reader)))
            case ParameterType.incomingReset:
                let request = try reader.u32()
                parameters.append(.incomingReset(requestSequence: request, streams: try Self.streams(&reader)))
            case ParameterType.response:
                let sequence = try reader.u32()
                parameters.append(.response(responseSequence: sequence, result: ReconfigResult(rawValue: try reader.u32())))
            default:
                parameters.append(.other(parameter))
            }
        }
    }

    private static func streams(_ reader: inout ByteReader) throws(SCTPWireError) -> [UInt16] {
        guard reader.remaining % 2 == 0 else { throw .badLength(reader.what) }
        var streams: [UInt16] = []
        while reader.remaining > 0 { streams.append(try reader.u16()) }
        return streams
    }

    func serializeValue(into out: inout [UInt8]) {
        for parameter in parameters {
            var value: [UInt8] = []
            let type: UInt16
            switch parameter {
            case .outgoingReset(let request, let response, let lastTSN, let streams):
                type = ParameterType.outgoingReset
                value.appendU32(request); value.appendU32(response); value.appendU32(lastTSN)
                for stream in streams { value.appendU16(stream) }
            case .incomingReset(let request, let streams):
                type = ParameterType.incomingReset
                value.appendU32(request)
                for stream in streams { value.appendU16(stream) }
            case .response(let sequence, let result):
                type = ParameterType.response
                value.appendU32(sequence); value.appendU32(result.rawValue)
            case .other(let raw):
                raw.serialize(into: &out)
                continue
            }
            SCTPParameter(type: type, value: value).serialize(into: &out)
        }
    }
}

/// Re-configuration Response results (RFC 6525 §4.4).
public struct ReconfigResult: RawRepresentable, Equatable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let successNothingToDo = ReconfigResult(rawValue: 0)
    public static let successPerformed = ReconfigResult(rawValue: 1)
    public static let denied = ReconfigResult(rawValue: 2)
    public static let errorWrongSSN = ReconfigResult(rawValue: 3)
    public static let errorRequestAlreadyInProgress = ReconfigResult(rawValue: 4)
    public static let errorBadSequenceNumber = ReconfigResult(rawValue: 5)
    public static let inProgress = ReconfigResult(rawValue: 6)
}
