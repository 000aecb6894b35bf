/// The `a=candidate` line (RFC 8839 §5.1).
extension ICECandidate {
    /// Parses "candidate:…", with or without a leading "a=" and with or without the "candidate:" prefix.
    ///
    /// Throws `RTCError(.malformedSDP)` on a bad line, and `RTCError(.unsupported)` for mDNS (`.local`)
    /// host names: resolving them would need a multicast resolver this stack deliberately lacks.
    /// `tcptype`, `generation` and other extension attributes are accepted and dropped.
    public init(sdpAttribute: String) throws(RTCError) {
        var text = Substring(sdpAttribute.trimmingWhitespace())
        if text.hasPrefix("a=") { text = text.dropFirst(2) }
        if text.hasPrefix("candidate:") { text = text.dropFirst("candidate:".count) }
        let fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count >= 8, fields[6] == "typ" else { throw Self.malformed(sdpAttribute, "too few fields") }

        guard let component = UInt16(fields[1]), component >= 1, component <= 256 else {
            throw Self.malformed(sdpAttribute, "bad component")
        }
        guard let transport = TransportProtocol(rawValue: fields[2].lowercased()) else {
            throw Self.malformed(sdpAttribute, "unknown transport \(fields[2])")
        }
        guard let priority = UInt32(fields[3]), priority > 0 else {
            throw Self.malformed(sdpAttribute, "bad priority")
        }
        let address = try Self.address(host: fields[4], port: fields[5], line: sdpAttribute)
        guard let kind = Kind(rawValue: fields[7]) else {
            throw Self.malformed(sdpAttribute, "unknown type \(fields[7])")
        }

        var relatedHost: String?
        var relatedPort: String?
        var index = 8
        while index + 1 < fields.count {
            switch fields[index] {
            case "raddr": relatedHost = fields[index + 1]
            case "rport": relatedPort = fields[index + 1]
            default: break  // tcptype, generation, ufrag, network-id, ...: not needed here
            }
            index += 2
        }
        var related: TransportAddress?
        if let relatedHost, let relatedPort {
            // Browsers hide related addresses as "0.0.0.0 0"; treat anything unparsable as absent.
            related = try? Self.address(host: relatedHost, port: relatedPort, line: sdpAttribute)
        }
        guard !fields[0].isEmpty, fields[0].count <= 32 else { throw Self.malformed(sdpAttribute, "bad foundation") }
        self.init(
            foundation: fields[0], component: component, transport: transport, priority: priority,
            address: address, kind: kind, relatedAddress: related)
    }

    /// "candidate:…" without the "a=" prefix, as JSEP and trickle signalling carry it.
    public var sdpAttribute: String {
        var line = "candidate:\(foundation) \(component) \(transport.rawValue.uppercased()) \(priority) "
            + "\(address.host) \(address.port) typ \(kind.rawValue)"
        if let relatedAddress {
            line += " raddr \(relatedAddress.host) rport \(relatedAddress.port)"
        }
        return line
    }

    private static func address(host: String, port: String, line: String) throws(RTCError) -> TransportAddress {
        if host.lowercased().hasSuffix(".local") {
            throw RTCError(.unsupported, "mDNS candidate \(host) ignored: .local names are not resolved")
        }
        guard let portNumber = UInt16(port) else { throw malformed(line, "bad port \(port)") }
        guard let address = TransportAddress(host: host, port: portNumber) else {
            throw malformed(line, "address \(host) is not a numeric IP")
        }
        return address
    }

    private static func malformed(_ line: String, _ reason: String) -> RTCError {
        RTCError(.malformedSDP, "candidate: \(reason) in \"\(line.prefix(200))\"")
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
