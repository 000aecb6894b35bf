/// Writing our own descriptions.
extension JSEPSession {
    static let opusFormatParameters = "minptime=10;useinbandfec=1"

    /// Everything a local audio m-line carries (RFC 8829 §5.2.1 / §5.3.1).
    struct AudioSectionPlan {
        var mid: String
        var proto: String
        var payloadType: UInt8
        var direction: MediaDirection
        var setup: DTLSSetup
        var extensions: [ExtensionMap]
        var transportCC: Bool
        var sendTrack: AudioSendTrack?
    }

    func audioSection(_ plan: AudioSectionPlan) -> MediaDescription {
        var attributes = [
            SDPAttribute("mid", plan.mid), SDPAttribute(plan.direction.rawValue),
            SDPAttribute("ice-ufrag", configuration.iceUsernameFragment),
            SDPAttribute("ice-pwd", configuration.icePassword), SDPAttribute("ice-options", "trickle"),
        ]
        attributes += configuration.fingerprints.map { SDPAttribute("fingerprint", $0.sdpValue) }
        attributes += [SDPAttribute("setup", plan.setup.rawValue), SDPAttribute("rtcp-mux"), SDPAttribute("rtcp-rsize")]
        let rtpMap = RTPMap(payloadType: plan.payloadType, encodingName: "opus", clockRate: 48000, channels: 2)
        attributes.append(SDPAttribute("rtpmap", rtpMap.sdpValue))
        let fmtp = FormatParameters(payloadType: plan.payloadType, parameters: Self.opusFormatParameters)
        attributes.append(SDPAttribute("fmtp", fmtp.sdpValue))
        if plan.transportCC {
            attributes.append(SDPAttribute("rtcp-fb", RTCPFeedback(payloadType: plan.payloadType, type: "transport-cc").sdpValue))
        }
        attributes += plan.extensions.map { SDPAttribute("extmap", $0.sdpValue) }
        if let track = plan.sendTrack, plan.direction.sends {
            let msid = MediaStreamID(streamID: track.streamID, trackID: track.trackID)
            attributes.append(SDPAttribute("msid", msid.sdpValue))
            attributes.append(SDPAttribute("ssrc", SSRCAttribute(ssrc: track.ssrc, attribute: "cname", value: configuration.cname).sdpValue))
            attributes.append(SDPAttribute("ssrc", SSRCAttribute(ssrc: track.ssrc, attribute: "msid", value: msid.sdpValue).sdpValue))
        }
        attributes += configuration.candidates.map { candidate in
            SDPAttribute("candidate", candidate.hasPrefix("candidate:") ? String(candidate.dropFirst(10)) : candidate)
        }
        if configuration.endOfCandidates { attributes.append(SDPAttribute("end-of-candidates")) }
        return MediaDescription(
            kind: .audio, port: 9, proto: plan.proto, formats: ["\(plan.payloadType)"],
            connections: [SDPConnection()], attributes: attributes)
    }

    /// Our data section (RFC 8841 §5–6; JSEP §5.2.1): `m=application 9 UDP/DTLS/SCTP webrtc-datachannel`
    /// with the bundle transport's ICE and DTLS attributes, `a=sctp-port:5000` and our message limit.
    func dataSection(mid: String, setup: DTLSSetup) -> MediaDescription {
        var attributes = [
            SDPAttribute("mid", mid),
            SDPAttribute("ice-ufrag", configuration.iceUsernameFragment),
            SDPAttribute("ice-pwd", configuration.icePassword), SDPAttribute("ice-options", "trickle"),
        ]
        attributes += configuration.fingerprints.map { SDPAttribute("fingerprint", $0.sdpValue) }
        attributes += [SDPAttribute("setup", setup.rawValue), SDPAttribute("sctp-port", "5000"),
                       SDPAttribute("max-message-size", "\(configuration.maxMessageSize)")]
        attributes += configuration.candidates.map { candidate in
            SDPAttribute("candidate", candidate.hasPrefix("candidate:") ? String(candidate.dropFirst(10)) : candidate)
        }
        if configuration.endOfCandidates { attributes.append(SDPAttribute("end-of-candidates")) }
        return MediaDescription(
            kind: .application, port: 9, proto: "UDP/DTLS/SCTP", formats: ["webrtc-datachannel"],
            connections: [SDPConnection()], attributes: attributes)
    }

    /// A rejected or stopped m-line: port 0, the mid kept so m-line order stays matchable.
    static func rejectedSection(_ slot: Slot) -> MediaDescription {
        MediaDescription(
            kind: slot.kind, port: 0, proto: slot.proto, formats: slot.formats.isEmpty ? ["0"] : slot.formats,
            connections: [SDPConnection()], attributes: [SDPAttribute("mid", slot.mid)])
    }

    mutating func makeDescription(media: [MediaDescription], bundleMids: [String]) -> SessionDescription {
        defer { sessionVersion += 1 }
        var attributes: [SDPAttribute] = []
        if !bundleMids.isEmpty {
            attributes.append(SDPAttribute("group", SDPGroup(semantics: "BUNDLE", mids: bundleMids).sdpValue))
        }
        attributes.append(SDPAttribute("msid-semantic", "WMS *"))
        return SessionDescription(
            origin: SDPOrigin(sessionID: configuration.sessionID, sessionVersion: sessionVersion),
            attributes: attributes, media: media)
    }
}
