/// Reading the remote description into a `NegotiatedSession`.
extension JSEPSession {
    func negotiated(
        remote: SessionDescription, plan: [Slot], transport: Int?, role: DTLSRole, offerer: Bool
    ) throws(RTCError) -> NegotiatedSession {
        var ufrag = "", password = ""
        var candidates: [String] = []
        var endOfCandidates = false
        var fingerprints: [SDPFingerprint] = []
        if let transport {
            guard let remoteUfrag = remote.iceUsernameFragment(forMediaAt: transport),
                let remotePassword = remote.icePassword(forMediaAt: transport)
            else { throw RTCError(.malformedSDP, "remote m-line \(transport) has no ICE credentials") }
            fingerprints = remote.fingerprints(forMediaAt: transport)
            guard !fingerprints.isEmpty else {
                throw RTCError(.malformedSDP, "remote m-line \(transport) has no a=fingerprint")
            }
            ufrag = remoteUfrag
            password = remotePassword
            candidates = remote.candidates(forMediaAt: transport)
            endOfCandidates = remote.endOfCandidates(forMediaAt: transport)
        }
        let media = plan.enumerated().map { index, slot in
            negotiatedMedia(slot: slot, remote: remote.media[index], offerer: offerer)
        }
        let lite = remote.isICELite
        return NegotiatedSession(
            remoteICEUsernameFragment: ufrag, remoteICEPassword: password, remoteICELite: lite,
            remoteCandidates: candidates, remoteEndOfCandidates: endOfCandidates, remoteFingerprints: fingerprints,
            dtlsRole: role, isICEControlling: offerer || lite,
            bundleMids: plan.filter { !$0.rejected }.map(\.mid), media: media)
    }

    private func negotiatedMedia(slot: Slot, remote: MediaDescription, offerer: Bool) -> NegotiatedMedia {
        let local = slot.transceiver.flatMap { id in transceivers.first { $0.id == id } }?.localDirection ?? .inactive
        guard !slot.rejected else {
            return NegotiatedMedia(
                mid: slot.mid, kind: slot.kind, rejected: true, transceiver: slot.transceiver, opusPayloadType: nil,
                extensionIDs: [:], direction: .inactive, remoteSSRCs: [], remoteMSID: nil)
        }
        if slot.kind == .application {
            return NegotiatedMedia(
                mid: slot.mid, kind: slot.kind, rejected: false, transceiver: nil, opusPayloadType: nil,
                extensionIDs: [:], direction: .inactive, remoteSSRCs: [], remoteMSID: nil,
                remoteSCTPPort: remote.sctpPort ?? 5000, remoteMaxMessageSize: remote.maxMessageSize ?? 65_536)
        }
        // An answer's direction already intersects ours; an offer's is intersected here.
        let remoteDirection = remote.direction ?? .sendrecv
        let direction = remoteDirection.reversed.intersection(local)
        var ids: [String: Int] = [:]
        for map in remote.extensionMaps where enabledExtensions.contains(map.uri) { ids[map.uri] = map.id }
        let legacyMSID = remote.ssrcAttributes.first { $0.attribute == "msid" }?.value
            .flatMap { value in try? MediaStreamID(sdpValue: value) }
        return NegotiatedMedia(
            mid: slot.mid, kind: slot.kind, rejected: false, transceiver: slot.transceiver,
            opusPayloadType: UInt8(slot.formats.first ?? ""), extensionIDs: ids, direction: direction,
            remoteSSRCs: remote.ssrcs, remoteMSID: remote.msids.first ?? legacyMSID)
    }
}
