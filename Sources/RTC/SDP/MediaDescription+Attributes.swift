/// Typed views of the attributes WebRTC uses. Getters skip values that do not parse (the parser
/// already rejects those lines; this only matters for hand-built descriptions).
extension MediaDescription {
    /// `a=mid` (RFC 8843 §9.1): the transceiver's identity across renegotiations.
    public var mid: String? {
        get { attributes.firstValue(named: "mid") }
        set { replaceAttributes(named: "mid", with: newValue.map { [SDPAttribute("mid", $0)] } ?? []) }
    }

    /// The direction attribute; nil when absent, which RFC 3264 §5.1 reads as `sendrecv`.
    public var direction: MediaDirection? {
        get { attributes.lazy.compactMap { $0.value == nil ? MediaDirection(rawValue: $0.name) : nil }.first }
        set {
            attributes.removeAll { $0.value == nil && MediaDirection(rawValue: $0.name) != nil }
            if let newValue { attributes.append(SDPAttribute(newValue.rawValue)) }
        }
    }

    /// Port 0 without `a=bundle-only`: the section was rejected or stopped (RFC 3264 §6, RFC 8843 §6).
    public var isRejected: Bool { port == 0 && !attributes.contains(named: "bundle-only") }

    public var rtpMaps: [RTPMap] { parsed("rtpmap", RTPMap.init(sdpValue:)) }
    public var formatParameters: [FormatParameters] { parsed("fmtp", FormatParameters.init(sdpValue:)) }
    public var rtcpFeedback: [RTCPFeedback] { parsed("rtcp-fb", RTCPFeedback.init(sdpValue:)) }
    public var extensionMaps: [ExtensionMap] { parsed("extmap", ExtensionMap.init(sdpValue:)) }
    public var msids: [MediaStreamID] { parsed("msid", MediaStreamID.init(sdpValue:)) }
    public var ssrcAttributes: [SSRCAttribute] { parsed("ssrc", SSRCAttribute.init(sdpValue:)) }
    public var ssrcGroups: [SSRCGroup] { parsed("ssrc-group", SSRCGroup.init(sdpValue:)) }
    public var fingerprints: [SDPFingerprint] { parsed("fingerprint", SDPFingerprint.init(sdpValue:)) }
    public var setup: DTLSSetup? { parsed("setup", DTLSSetup.init(sdpValue:)).first }

    public func rtpMap(payloadType: UInt8) -> RTPMap? { rtpMaps.first { $0.payloadType == payloadType } }

    public func formatParameters(payloadType: UInt8) -> FormatParameters? {
        formatParameters.first { $0.payloadType == payloadType }
    }

    /// Every SSRC named in `a=ssrc` or `a=ssrc-group`, in first-seen order.
    public var ssrcs: [UInt32] {
        var seen: [UInt32] = []
        for ssrc in ssrcAttributes.map(\.ssrc) + ssrcGroups.flatMap(\.ssrcs) where !seen.contains(ssrc) {
            seen.append(ssrc)
        }
        return seen
    }

    /// `a=ssrc:<ssrc> cname:<value>` (RFC 5576 §6.1).
    public func cname(ssrc: UInt32) -> String? {
        ssrcAttributes.first { $0.ssrc == ssrc && $0.attribute == "cname" }?.value
    }

    /// `a=sctp-port` (RFC 8841 §5): the SCTP port inside DTLS; absent means 5000.
    public var sctpPort: UInt16? {
        attributes.firstValue(named: "sctp-port").flatMap { SDPValueParsing.decimal(Substring($0), as: UInt16.self) }
    }

    /// `a=max-message-size` (RFC 8841 §6): the largest message the author receives; 0 means no limit.
    public var maxMessageSize: Int? {
        attributes.firstValue(named: "max-message-size").flatMap { SDPValueParsing.decimal(Substring($0), as: Int.self) }
    }

    /// `m=application … UDP/DTLS/SCTP webrtc-datachannel` (RFC 8841 §4), the only data section we take;
    /// `TCP/DTLS/SCTP` is the same format over ICE-TCP, which we do not run.
    public var isDataChannelSection: Bool {
        kind == .application && proto.uppercased() == "UDP/DTLS/SCTP" && formats == ["webrtc-datachannel"]
    }

    public var rtcpMux: Bool { attributes.contains(named: "rtcp-mux") }
    public var rtcpReducedSize: Bool { attributes.contains(named: "rtcp-rsize") }

    /// `a=candidate` values without the `candidate:` prefix, as sent; the ICE agent parses them.
    public var candidates: [String] { attributes.values(named: "candidate") }
    public var endOfCandidates: Bool { attributes.contains(named: "end-of-candidates") }

    /// Media-level only; use `SessionDescription.iceUsernameFragment(forMediaAt:)` for the effective value.
    public var iceUsernameFragment: String? { attributes.firstValue(named: "ice-ufrag") }
    public var icePassword: String? { attributes.firstValue(named: "ice-pwd") }
    public var iceOptions: [String] {
        attributes.values(named: "ice-options").flatMap { SDPValueParsing.fields($0).map(String.init) }
    }
    /// `a=ice-lite` belongs at session level (RFC 8839 §5.3); some peers put it here.
    public var iceLite: Bool { attributes.contains(named: "ice-lite") }

    /// Replaces all attributes named `name` in place (at the first one's position) or appends.
    public mutating func replaceAttributes(named name: String, with replacement: [SDPAttribute]) {
        let position = attributes.firstIndex { $0.name == name } ?? attributes.endIndex
        let before = attributes[..<position].count
        attributes.removeAll { $0.name == name }
        attributes.insert(contentsOf: replacement, at: min(before, attributes.count))
    }

    private func parsed<T>(_ name: String, _ parse: (String) throws(RTCError) -> T) -> [T] {
        attributes.values(named: name).compactMap { value in try? parse(value) }
    }
}
