/// Typed look-ups of the attributes ICE reads, so callers need not pattern-match the list.
/// Each returns the first occurrence; absence is nil (or false for the flag USE-CANDIDATE).
extension STUNMessage {
    public var username: String? {
        attributes.lazy.compactMap { if case .username(let value) = $0 { value } else { nil } }.first
    }

    public var xorMappedAddress: TransportAddress? {
        attributes.lazy.compactMap { if case .xorMappedAddress(let value) = $0 { value } else { nil } }.first
    }

    public var mappedAddress: TransportAddress? {
        attributes.lazy.compactMap { if case .mappedAddress(let value) = $0 { value } else { nil } }.first
    }

    public var priority: UInt32? {
        attributes.lazy.compactMap { if case .priority(let value) = $0 { value } else { nil } }.first
    }

    public var useCandidate: Bool { attributes.contains(.useCandidate) }

    public var iceControlling: UInt64? {
        attributes.lazy.compactMap { if case .iceControlling(let value) = $0 { value } else { nil } }.first
    }

    public var iceControlled: UInt64? {
        attributes.lazy.compactMap { if case .iceControlled(let value) = $0 { value } else { nil } }.first
    }

    public var errorCode: (code: Int, reason: String)? {
        attributes.lazy.compactMap { attribute -> (code: Int, reason: String)? in
            if case .errorCode(let code, let reason) = attribute { (code, reason) } else { nil }
        }.first
    }
}
