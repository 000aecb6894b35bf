/// Server-reflexive candidates from STUN servers (RFC 8445 §5.1.1.2).
extension ICEAgent {
    /// Queues one unauthenticated binding request from `host` to each STUN server of its family;
    /// they go out at the next `handle(.timeout, now:)`.
    func startGathering(from host: ICECandidate) {
        for server in configuration.stunServers where server.isIPv6 == host.address.isIPv6 {
            let request = STUNMessage(messageClass: .request)
            guard let bytes = try? request.encoded(fingerprint: true) else { continue }
            transactions[request.transactionID] = ICETransaction(
                purpose: .gather, bytes: bytes, local: host.address, remote: server, integrityKey: nil,
                retransmitTimeout: .milliseconds(500), deadline: nil)
            gatheringStarted = true
        }
    }

    func handleGatherResponse(_ message: STUNMessage, transaction: ICETransaction, from: TransportAddress) {
        defer { finishGatheringIfDone() }
        guard from == transaction.remote, message.messageClass == .successResponse,
            let mapped = message.xorMappedAddress ?? message.mappedAddress,
            let host = hostCandidates.first(where: { $0.address == transaction.local }),
            !localCandidates.contains(where: { $0.address == mapped })
        else { return }
        let candidate = ICECandidate(
            foundation: foundation(kind: .srflx, base: host.address, server: transaction.remote),
            priority: ICECandidate.priority(kind: .srflx, localPreference: UInt16((host.priority >> 8) & 0xFFFF)),
            address: mapped, kind: .srflx, relatedAddress: host.address)
        // Not paired: checks from a server-reflexive candidate leave from its base, which is already paired
        // (RFC 8445 §6.1.2.4).
        localCandidates.append(candidate)
        emit(.localCandidateGathered(candidate))
    }

    func finishGatheringIfDone() {
        guard gatheringStarted else { return }
        let pending = transactions.values.contains { if case .gather = $0.purpose { true } else { false } }
        guard !pending else { return }
        gatheringStarted = false
        emit(.gatheringComplete)
    }
}
