/// Our offers and the answers to them.
extension JSEPSession {
    /// Creates an offer: existing m-lines in their order with their mids, stopped ones rejected,
    /// new transceivers in recycled rejected m-lines or appended. `setup:actpass` (RFC 8842 §5.2).
    public mutating func createOffer() -> SessionDescription {
        var plan = slots
        for index in plan.indices {
            if let id = plan[index].transceiver, transceivers.first(where: { $0.id == id })?.stopped ?? true {
                plan[index].rejected = true
            }
        }
        // Transceivers without an m-line yet; one may already hold a mid from an unanswered offer.
        for index in transceivers.indices where !transceivers[index].stopped {
            let id = transceivers[index].id
            guard !plan.contains(where: { $0.transceiver == id }) else { continue }
            let mid = transceivers[index].mid.flatMap { mid in plan.contains { $0.mid == mid } ? nil : mid }
                ?? nextMid(avoiding: plan)
            transceivers[index].mid = mid
            let slot = Slot(mid: mid, kind: .audio, proto: "UDP/TLS/RTP/SAVPF", formats: ["111"],
                            transceiver: transceivers[index].id, rejected: false)
            if let free = plan.firstIndex(where: { $0.rejected && !isLive($0.transceiver) }) {
                plan[free] = slot
            } else {
                plan.append(slot)
            }
        }
        if wantsDataChannel, !plan.contains(where: { $0.kind == .application && !$0.rejected }) {
            let slot = Slot(mid: nextMid(avoiding: plan), kind: .application, proto: "UDP/DTLS/SCTP",
                            formats: ["webrtc-datachannel"], transceiver: nil, rejected: false)
            if let free = plan.firstIndex(where: { $0.rejected && !isLive($0.transceiver) }) {
                plan[free] = slot
            } else {
                plan.append(slot)
            }
        }
        let extensions = offeredExtensions()
        var media: [MediaDescription] = []
        for slot in plan {
            if slot.kind == .application, !slot.rejected {
                media.append(dataSection(mid: slot.mid, setup: .actpass))
                continue
            }
            guard !slot.rejected, let id = slot.transceiver, let transceiver = transceivers.first(where: { $0.id == id })
            else {
                media.append(Self.rejectedSection(slot))
                continue
            }
            media.append(audioSection(AudioSectionPlan(
                mid: slot.mid, proto: slot.proto, payloadType: UInt8(slot.formats.first ?? "") ?? 111,
                direction: transceiver.localDirection, setup: .actpass, extensions: extensions,
                transportCC: configuration.enableTransportCC, sendTrack: transceiver.sendTrack)))
        }
        pendingOfferSlots = plan
        return makeDescription(media: media, bundleMids: plan.filter { !$0.rejected }.map(\.mid))
    }

    /// Applies the remote answer to our pending offer.
    /// - Throws: `.invalidState` without a pending offer or when the answer flips the DTLS role;
    ///   `.malformedSDP` when the answer does not mirror the offer's m-lines or lacks ICE/DTLS data.
    public mutating func applyRemoteAnswer(_ answer: SessionDescription) throws(RTCError) -> NegotiatedSession {
        guard var plan = pendingOfferSlots else { throw RTCError(.invalidState, "no local offer to answer") }
        guard answer.media.count == plan.count else {
            throw RTCError(.malformedSDP, "answer has \(answer.media.count) m-lines, offer had \(plan.count)")
        }
        for (index, section) in answer.media.enumerated() where section.mid != nil && section.mid != plan[index].mid {
            throw RTCError(.malformedSDP, "answer m-line \(index) has mid \(section.mid ?? "") instead of \(plan[index].mid)")
        }
        for index in plan.indices where !plan[index].rejected {
            let section = answer.media[index]
            guard section.isRejected || section.kind != plan[index].kind else { continue }
            // A rejected m-section stops its transceiver (RFC 8829 §5.10); the line can be recycled.
            plan[index].rejected = true
            if plan[index].kind == .application { wantsDataChannel = false }
            if let id = plan[index].transceiver, let local = transceivers.firstIndex(where: { $0.id == id }) {
                transceivers[local].stopped = true
            }
        }
        guard let transport = plan.indices.first(where: { !plan[$0].rejected }) else {
            pendingOfferSlots = nil
            slots = plan
            return try negotiated(remote: answer, plan: plan, transport: nil, role: dtlsRole ?? .client, offerer: true)
        }
        let role: DTLSRole
        switch answer.setup(forMediaAt: transport) {
        case .active, nil: role = .server  // RFC 4145 §4: absent means active
        case .passive: role = .client
        case .actpass, .holdconn:
            throw RTCError(.malformedSDP, "an answer must use a=setup:active or passive (RFC 5763 §5)")
        }
        try keepRole(role)
        for index in plan.indices where !plan[index].rejected {
            for map in answer.media[index].extensionMaps where enabledExtensions.contains(map.uri) {
                extensionIDs[map.uri] = map.id
            }
        }
        pendingOfferSlots = nil
        slots = plan
        return try negotiated(remote: answer, plan: plan, transport: transport, role: role, offerer: true)
    }

    /// Our extmaps: ids already negotiated, else the lowest ids not yet taken.
    mutating func offeredExtensions() -> [ExtensionMap] {
        enabledExtensions.map { uri in
            if let id = extensionIDs[uri] { return ExtensionMap(id: id, uri: uri) }
            let id = (1...14).first { !extensionIDs.values.contains($0) } ?? 14
            extensionIDs[uri] = id
            return ExtensionMap(id: id, uri: uri)
        }
    }

    func nextMid(avoiding plan: [Slot]) -> String {
        var candidate = 0
        let used = Set(plan.map(\.mid) + transceivers.compactMap(\.mid))
        while used.contains(String(candidate)) { candidate += 1 }
        return String(candidate)
    }

    func isLive(_ id: TransceiverID?) -> Bool {
        guard let id, let transceiver = transceivers.first(where: { $0.id == id }) else { return false }
        return !transceiver.stopped
    }

    /// RFC 8842 §5.3 / pion#1258: the DTLS role is fixed by the first exchange.
    mutating func keepRole(_ role: DTLSRole) throws(RTCError) {
        if let dtlsRole, dtlsRole != role {
            throw RTCError(.invalidState, "renegotiation would switch our DTLS role from \(dtlsRole) to \(role)")
        }
        dtlsRole = role
    }
}
