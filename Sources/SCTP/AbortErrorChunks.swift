/// ABORT (RFC 9260 §3.3.7) and ERROR (§3.3.10): lists of error causes, each a TLV like a
/// parameter (cause code, length, information; §3.3.10.1–13).
public struct AbortChunk: Equatable, Sendable {
    /// The T bit: the verification tag is the receiver's own, reflected (no TCB).
    public var tagReflected: Bool
    public var causes: [SCTPParameter]

    public init(tagReflected: Bool = false, causes: [SCTPParameter] = []) {
        self.tagReflected = tagReflected
        self.causes = causes
    }

    init(flags: UInt8, value: ArraySlice<UInt8>) throws(SCTPWireError) {
        tagReflected = flags & 1 == 1
        causes = try SCTPParameter.parseAll(value, what: "ABORT")
    }

    func serializeValue(into out: inout [UInt8]) {
        for cause in causes { cause.serialize(into: &out) }
    }
}

public struct ErrorChunk: Equatable, Sendable {
    public var causes: [SCTPParameter]

    public init(causes: [SCTPParameter]) { self.causes = causes }

    init(value: ArraySlice<UInt8>) throws(SCTPWireError) {
        causes = try SCTPParameter.parseAll(value, what: "ERROR")
    }

    func serializeValue(into out: inout [UInt8]) {
        for cause in causes { cause.serialize(into: &out) }
    }
}

/// The error cause codes we send or name in events (RFC 9260 §3.3.10).
public enum SCTPErrorCause {
    public static let protocolViolation: UInt16 = 13
    public static let userInitiatedAbort: UInt16 = 12
    public static let noUserData: UInt16 = 9
    public static let unrecognizedChunkType: UInt16 = 6

    /// A short name for a cause code, for one-line event text.
    public static func name(_ code: UInt16) -> String {
        switch code {
        case 1: "invalid stream identifier"
        case 2: "missing mandatory parameter"
        case 3: "stale cookie"
        case 4: "out of resource"
        case 5: "unresolvable address"
        case 6: "unrecognized chunk type"
        case 7: "invalid mandatory parameter"
        case 8: "unrecognized parameters"
        case 9: "no user data"
        case 10: "cookie received while shutting down"
        case 11: "restart with new addresses"
        case 12: "user-initiated abort"
        case 13: "protocol violation"
        default: "cause \(code)"
        }
    }
}
