/// Incoming STUN: demultiplexing by class, and answering the peer's checks (RFC 8445 §7.3).
extension ICEAgent {
    func handleDatagram(
        _ bytes: [UInt8], from: TransportAddress, to: TransportAddress, now: ContinuousClock.Instant
    ) {
        guard let local = hostCandidates.first(where: { $0.address == to }) else {
            statistics.unknownLocalAddress += 1
            return
        }
        guard let message = try? STUNMessage(parsing: bytes), message.method == STUNMessage.bindingMethod,
            !message.hasFingerprint || message.hasValidFingerprint
        else {
            statistics.malformedDatagrams += 1
            return
        }
        switch message.messageClass {
        case .request:
            handleRequest(message, from: from, local: local, now: now)
        case .successResponse, .errorResponse:
            handleResponse(message, from: from, to: to, now: now)
        case .indication:
            break  // keepalive indications need no answer
        }
    }

    /// A binding request from the peer: authenticate, settle role conflicts, answer, then learn from it.
    private func handleRequest(
        _ message: STUNMessage, from: TransportAddress, local: ICECandidate, now: ContinuousClock.Instant
    ) {
        // RFC 8445 §7.3: USERNAME is "our ufrag:their ufrag", MESSAGE-INTEGRITY keyed with our password.
        // During an ICE restart the peer may still use the old generation: answer it (consent on the
        // old pair must keep working) but learn nothing from it.
        guard let username = message.username else {
            statistics.unauthenticatedMessages += 1
            return
        }
        let current = authenticates(message, username: username, with: localCredentials)
        let previous = !current
            && previousLocalCredentials.map { authenticates(message, username: username, with: $0) } == true
        guard current || previous else {
            statistics.unauthenticatedMessages += 1
            return
        }
        let key = current ? localCredentials.integrityKey : previousLocalCredentials?.integrityKey ?? []
        if current, let conflictResponse = resolveRoleConflict(message) {
            send(response: conflictResponse, key: key, from: local.address, to: from)
            return
        }
        let response = STUNMessage(
            messageClass: .successResponse, transactionID: message.transactionID, attributes: [.xorMappedAddress(from)])
        send(response: response, key: key, from: local.address, to: from)
        statistics.requestsAnswered += 1
        guard current else { return }

        let remote = remoteCandidate(for: from, priority: message.priority)
        guard let remote else { return }
        let pairKey = ICEPairKey(local: local.address, remote: from)
        if pairs[pairKey] == nil { addPair(local: local, remote: remote) }
        guard pairs[pairKey] != nil else { return }

        if configuration.isLite {
            answerAsLite(pairKey: pairKey, useCandidate: message.useCandidate, now: now)
            return
        }
        // RFC 8445 §7.3.1.4 triggered check, unless the pair already works or a check is in flight.
        if let state = pairs[pairKey]?.state, state != .succeeded, state != .inProgress {
            pairs[pairKey]?.state = .waiting
            if !triggeredChecks.contains(where: { $0.key == pairKey }) { triggeredChecks.append((pairKey, false)) }
        }
        // RFC 8445 §7.3.1.5: the controlling peer nominated this pair.
        if message.useCandidate, role == .controlled {
            pairs[pairKey]?.remoteNominated = true
            if pairs[pairKey]?.state == .succeeded {
                pairs[pairKey]?.nominated = true
                updateSelection(now: now)
            }
        }
    }

    private func authenticates(_ message: STUNMessage, username: String, with credentials: ICECredentials) -> Bool {
        username.hasPrefix(credentials.usernameFragment + ":")
            && message.hasValidIntegrity(key: credentials.integrityKey)
    }

    /// RFC 8445 §7.3.1.1. Returns a 487 response to send instead of answering, or nil to go on
    /// (possibly after switching our own role).
    private func resolveRoleConflict(_ message: STUNMessage) -> STUNMessage? {
        guard !configuration.isLite else { return nil }
        // The larger tie-breaker ends up controlling: either we keep our role and answer 487,
        // or we give in and switch.
        let keepOurRole: Bool
        if role == .controlling, let theirs = message.iceControlling {
            keepOurRole = tieBreaker >= theirs
        } else if role == .controlled, let theirs = message.iceControlled {
            keepOurRole = tieBreaker < theirs
        } else {
            return nil
        }
        statistics.roleConflicts += 1
        if keepOurRole { return roleConflictResponse(to: message) }
        switchRole(to: role.opposite)
        return nil
    }

    private func roleConflictResponse(to message: STUNMessage) -> STUNMessage {
        STUNMessage(
            messageClass: .errorResponse, transactionID: message.transactionID,
            attributes: [.errorCode(code: 487, reason: "Role Conflict")])
    }

    private func send(response: STUNMessage, key: [UInt8], from local: TransportAddress, to remote: TransportAddress) {
        guard let bytes = try? response.encoded(integrityKey: key, fingerprint: true) else { return }
        emit(.transmit(bytes, from: local, to: remote))
    }

    /// The known remote candidate at `address`, or a new peer-reflexive one (RFC 8445 §7.3.1.3).
    private func remoteCandidate(for address: TransportAddress, priority: UInt32?) -> ICECandidate? {
        if let known = remoteCandidates.first(where: { $0.address == address }) { return known }
        guard remoteCandidates.count < Self.maxRemoteCandidates else { return nil }
        peerReflexiveCount += 1
        let candidate = ICECandidate(
            foundation: "prflx\(peerReflexiveCount)",
            priority: priority ?? ICECandidate.priority(kind: .prflx, localPreference: 65535),
            address: address, kind: .prflx)
        remoteCandidates.append(candidate)
        return candidate
    }

    /// An ice-lite agent (RFC 8445 §2.5) treats an authenticated check as proof the pair works, and a
    /// USE-CANDIDATE as the nomination; it never checks on its own.
    private func answerAsLite(pairKey: ICEPairKey, useCandidate: Bool, now: ContinuousClock.Instant) {
        pairs[pairKey]?.state = .succeeded
        if useCandidate { pairs[pairKey]?.nominated = true }
        if state == .new { setState(.checking) }
        updateSelection(now: now)
    }
}
