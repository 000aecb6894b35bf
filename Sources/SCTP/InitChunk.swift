/// INIT and INIT ACK (RFC 9260 §3.3.2–3.3.3): the same fixed fields and a parameter list. The
/// parameters WebRTC needs are the State Cookie (INIT ACK), Supported Extensions (RFC 5061 §4.2.7)
/// listing RE-CONFIG and FORWARD TSN, and Forward-TSN-Supported (RFC 3758 §3.1).
public struct InitChunk: Equatable, Sendable {
    public var initiateTag: UInt32
    public var advertisedReceiverWindow: UInt32
    public var outboundStreams: UInt16
    public var inboundStreams: UInt16
    public var initialTSN: UInt32
    public var parameters: [SCTPParameter]

    public enum ParameterType {
        public static let stateCookie: UInt16 = 7
        public static let forwardTSNSupported: UInt16 = 0xC000
        public static let supportedExtensions: UInt16 = 0x8008
    }

    public init(initiateTag: UInt32, advertisedReceiverWindow: UInt32, outboundStreams: UInt16,
                inboundStreams: UInt16, initialTSN: UInt32, parameters: [SCTPParameter] = []) {
        self.initiateTag = initiateTag
        self.advertisedReceiverWindow = advertisedReceiverWindow
        self.outboundStreams = outboundStreams
        self.inboundStreams = inboundStreams
        self.initialTSN = initialTSN
        self.parameters = parameters
    }

    init(value: ArraySlice<UInt8>, what: String) throws(SCTPWireError) {
        var reader = ByteReader(value, what: what)
        initiateTag = try reader.u32()
        advertisedReceiverWindow = try reader.u32()
        outboundStreams = try reader.u16()
        inboundStreams = try reader.u16()
        initialTSN = try reader.u32()
        parameters = try SCTPParameter.parseAll(reader.rest(), what: what)
    }

    func serializeValue(into out: inout [UInt8]) {
        out.appendU32(initiateTag)
        out.appendU32(advertisedReceiverWindow)
        out.appendU16(outboundStreams)
        out.appendU16(inboundStreams)
        out.appendU32(initialTSN)
        for parameter in parameters { parameter.serialize(into: &out) }
    }

    public var stateCookie: [UInt8]? {
        parameters.first { $0.type == ParameterType.stateCookie }?.value
    }

    /// True when the peer can take FORWARD TSN (partial reliability, RFC 3758).
    public var supportsForwardTSN: Bool {
        parameters.contains { $0.type == ParameterType.forwardTSNSupported }
            || supportedExtensions.contains(SCTPChunk.ChunkType.forwardTSN.rawValue)
    }

    /// True when the peer can take RE-CONFIG (stream reset, RFC 6525).
    public var supportsReconfig: Bool { supportedExtensions.contains(SCTPChunk.ChunkType.reconfig.rawValue) }

    public var supportedExtensions: [UInt8] {
        parameters.first { $0.type == ParameterType.supportedExtensions }?.value ?? []
    }
}
