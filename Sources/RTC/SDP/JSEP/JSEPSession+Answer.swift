/// Answering remote offers (RFC 8829 §5.3).
extension JSEPSession {
    /// The answer to send back and what it negotiated.
    public struct Answer: Sendable {
        public var description: SessionDescription
        public var session: NegotiatedSession
    }

    /// Answers a remote offer: each audio m-line offering Opus over DTLS-SRTP is accepted (with the
    /// offer's Opus payload type and extension ids), everything else is rejected with port 0.
    /// - Throws: `.invalidState` with a pending local offer (roll back first) or on a DTLS role
    ///   change; `.malformedSDP` for reordered m-lines or missing mids/ICE/fingerprints;
    ///   `.unsupported` for `a=setup:holdconn`.
    public mutating func createAnswer(to offer: SessionDescription) throws(RTCError) -> Answer {
        guard pendingOfferSlots == nil else {
            throw RTCError(.invalidState, "a local offer is pending; roll it back before answering")
        }
        guard offer.media.count >= slots.count else {
            throw RTCError(.malformedSDP, "offer has \(offer.media.count) m-lines, \(slots.count) were negotiated")
        }
        let bundle = offer.bundleGroup
        var plan: [Slot] = []
        var accepted: [Int] = []
        var payloadTypes: [Int: UInt8] = [:]
        for (index, section) in offer.media.enumerated() {
            guard let mid = section.mid else { throw RTCError(.malformedSDP, "offer m-line \(index) has no a=mid") }
            var previous = index < slots.count ? slots[index] : nil
            if let old = previous, old.mid != mid {
                guard old.rejected else {
                    throw RTCError(.malformedSDP, "offer m-line \(index) changed mid from \(old.mid) to \(mid)")
                }
                previous = nil  // a rejected m-line recycled by the offerer (RFC 8829 §5.2.2)
            }
            var slot = Slot(mid: mid, kind: section.kind, proto: section.proto, formats: section.formats,
                            transceiver: previous?.transceiver, rejected: true)
            let inTransport = bundle.map { $0.mids.contains(mid) } ?? accepted.isEmpty
            if inTransport, let payloadType = Self.acceptableOpus(section) {
                slot.rejected = false
                slot.formats = ["\(payloadType)"]
                slot.transceiver = bindTransceiver(mid: mid, existing: slot.transceiver)
                payloadTypes[index] = payloadType
                accepted.append(index)
            } else if inTransport, section.isDataChannelSection, !section.isRejected,
                      !plan.contains(where: { $0.kind == .application && !$0.rejected }) {
                // One SCTP association per transport (RFC 8841 §5): only the first data section.
                slot.rejected = false
                accepted.append(index)
            }
            plan.append(slot)
        }
        let role = try answerRole(offer: offer, transport: accepted.first)
        var media: [MediaDescription] = []
        for (index, slot) in plan.enumerated() {
            if slot.kind == .application, !slot.rejected {
                media.append(dataSection(mid: slot.mid, setup: role == .client ? .active : .passive))
                continue
            }
            guard !slot.rejected, let id = slot.transceiver, let payloadType = payloadTypes[index],
                let transceiver = transceivers.first(where: { $0.id == id })
            else {
                media.append(Self.rejectedSection(slot))
                continue
            }
            let section = offer.media[index]
            let extensions = section.extensionMaps.filter { enabledExtensions.contains($0.uri) }
                .map { ExtensionMap(id: $0.id, uri: $0.uri) }
            for map in extensions { extensionIDs[map.uri] = map.id }
            let offered = section.direction ?? .sendrecv
            let transportCC = configuration.enableTransportCC && section.rtcpFeedback.contains {
                $0.type == "transport-cc" && ($0.payloadType == nil || $0.payloadType == payloadType)
            }
            media.append(audioSection(AudioSectionPlan(
                mid: slot.mid, proto: slot.proto, payloadType: payloadType,
                direction: offered.reversed.intersection(transceiver.localDirection),
                setup: role == .client ? .active : .passive, extensions: extensions, transportCC: transportCC,
                sendTrack: transceiver.sendTrack)))
        }
        let session = try negotiated(remote: offer, plan: plan, transport: accepted.first, role: role, offerer: false)
        slots = plan
        let bundleMids = bundle == nil ? [] : accepted.map { plan[$0].mid }
        return Answer(description: makeDescription(media: media, bundleMids: bundleMids), session: session)
    }

    /// The offer's Opus payload type when the m-line is live audio over DTLS-SRTP.
    static func acceptableOpus(_ section: MediaDescription) -> UInt8? {
        guard section.kind == .audio, !section.isRejected, section.proto.uppercased().hasSuffix("RTP/SAVPF")
        else { return nil }
        return section.rtpMaps.first { map in
            map.encodingName.lowercased() == "opus" && map.clockRate == 48000
                && section.formats.contains("\(map.payloadType)")
        }?.payloadType
    }

    /// The transceiver for an accepted m-line: the one already bound to the mid, else the first
    /// local one without a mid (JSEP §5.10), else a new receive-only one.
    mutating func bindTransceiver(mid: String, existing: TransceiverID?) -> TransceiverID {
        if let existing, let index = transceivers.firstIndex(where: { $0.id == existing && !$0.stopped }) {
            transceivers[index].mid = mid
            return existing
        }
        if let index = transceivers.firstIndex(where: { $0.mid == mid && !$0.stopped })
            ?? transceivers.firstIndex(where: { $0.mid == nil && !$0.stopped && !$0.createdByRemote }) {
            transceivers[index].mid = mid
            return transceivers[index].id
        }
        let id = TransceiverID(rawValue: transceivers.count)
        transceivers.append(Transceiver(id: id, mid: mid, sendTrack: nil, receives: true, createdByRemote: true))
        return id
    }

    /// RFC 5763 §5: answer `active` to actpass (or keep the role we already have), mirror the rest.
    mutating func answerRole(offer: SessionDescription, transport: Int?) throws(RTCError) -> DTLSRole {
        guard let transport else { return dtlsRole ?? .client }
        let role: DTLSRole
        switch offer.setup(forMediaAt: transport) {
        case .actpass, nil: role = dtlsRole ?? .client
        case .active: role = .server
        case .passive: role = .client
        case .holdconn: throw RTCError(.unsupported, "a=setup:holdconn is not supported")
        }
        try keepRole(role)
        return role
    }
}
