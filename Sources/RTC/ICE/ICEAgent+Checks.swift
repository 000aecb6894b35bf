/// Outgoing connectivity checks: pacing, retransmission, responses, nomination (RFC 8445 §6.1.4, §7.2).
extension ICEAgent {
    /// True when a check is ready to go at the next pacing slot.
    var hasCheckToSend: Bool {
        guard remoteCredentials != nil, !configuration.isLite, !isClosed, state != .failed else { return false }
        return !triggeredChecks.isEmpty || pairs.values.contains { $0.state == .waiting || $0.state == .frozen }
    }

    /// RFC 8445 §6.1.4.2: every Ta, one check — a triggered one first, else the best waiting pair,
    /// else the best frozen pair is thawed.
    func processCheckPacing(now: ContinuousClock.Instant) {
        guard hasCheckToSend, now >= nextCheckAt ?? now else { return }
        while let (key, useCandidate) = triggeredChecks.first {
            triggeredChecks.removeFirst()
            guard let pair = pairs[key] else { continue }
            // A check already in flight for this pair will answer the question.
            if pair.state == .inProgress && !useCandidate { continue }
            if pair.state == .succeeded && !useCandidate { continue }
            sendCheck(on: key, useCandidate: useCandidate, now: now)
            return
        }
        let waiting = pairs.values.filter { $0.state == .waiting }
        let next = waiting.max(by: { $0.priority < $1.priority })
            ?? pairs.values.filter { $0.state == .frozen }.max(by: { $0.priority < $1.priority })
        guard let next else { return }
        sendCheck(on: next.key, useCandidate: false, now: now)
    }

    /// Sends one binding request on `key` (RFC 8445 §7.2.2) and records its transaction.
    func sendCheck(on key: ICEPairKey, useCandidate: Bool, now: ContinuousClock.Instant) {
        guard let remoteCredentials, var pair = pairs[key] else { return }
        var attributes: [STUNAttribute] = [
            .username("\(remoteCredentials.usernameFragment):\(localCredentials.usernameFragment)"),
            .priority(peerReflexivePriority(of: pair.local)),
            role == .controlling ? .iceControlling(tieBreaker) : .iceControlled(tieBreaker),
        ]
        if useCandidate { attributes.append(.useCandidate) }
        let request = STUNMessage(messageClass: .request, attributes: attributes)
        guard let bytes = try? request.encoded(integrityKey: remoteCredentials.integrityKey, fingerprint: true) else {
            pairs[key]?.state = .failed  // never leave a pair waiting forever, or the driver would spin
            return
        }
        transactions[request.transactionID] = ICETransaction(
            purpose: .check(key, useCandidate: useCandidate, role: role), bytes: bytes, local: key.local,
            remote: key.remote, integrityKey: remoteCredentials.integrityKey, transmissions: 1,
            retransmitTimeout: configuration.checkRetransmitTimeout,
            deadline: now + configuration.checkRetransmitTimeout)
        if pair.state != .succeeded { pair.state = .inProgress }
        pairs[key] = pair
        nextCheckAt = now + configuration.checkPacing
        statistics.checksSent += 1
        emit(.transmit(bytes, from: key.local, to: key.remote))
        if state == .new { setState(.checking) }
        if checkingStartedAt == nil { checkingStartedAt = now }
    }

    /// The PRIORITY attribute: what the local candidate would be worth as peer-reflexive (RFC 8445 §7.1.1).
    func peerReflexivePriority(of local: ICECandidate) -> UInt32 {
        ICECandidate.priority(kind: .prflx, localPreference: UInt16((local.priority >> 8) & 0xFFFF))
    }

    /// Retransmits due requests and gives up on exhausted ones (RFC 8489 §6.2.1).
    func processTransactions(now: ContinuousClock.Instant) {
        for (id, transaction) in transactions {
            if transaction.transmissions == 0 {
                transactions[id]?.transmissions = 1
                transactions[id]?.deadline = now + transaction.retransmitTimeout
                emit(.transmit(transaction.bytes, from: transaction.local, to: transaction.remote))
                continue
            }
            guard let deadline = transaction.deadline, now >= deadline else { continue }
            if transaction.transmissions >= maxTransmissions(of: transaction) {
                transactions[id] = nil
                transactionTimedOut(transaction)
                continue
            }
            let timeout = min(transaction.retransmitTimeout * 2, configuration.maxRetransmitTimeout)
            transactions[id]?.transmissions += 1
            transactions[id]?.retransmitTimeout = timeout
            transactions[id]?.deadline = now + timeout
            emit(.transmit(transaction.bytes, from: transaction.local, to: transaction.remote))
        }
    }

    /// Consent requests retransmit too (as libnice does), so one lost datagram does not cost a whole
    /// 4–6 s interval; four sends span about 3.4 s and end before the next interval's fresh request.
    private func maxTransmissions(of transaction: ICETransaction) -> Int {
        if case .consent = transaction.purpose { return min(4, configuration.maxCheckTransmissions) }
        return configuration.maxCheckTransmissions
    }

    private func transactionTimedOut(_ transaction: ICETransaction) {
        switch transaction.purpose {
        case .check(let key, _, _):
            if nominatingPair == key { nominatingPair = nil }
            if pairs[key]?.state == .inProgress { pairs[key]?.state = .failed }
        case .gather:
            finishGatheringIfDone()
        case .consent:
            break
        }
    }

    // MARK: - Responses

    /// A response to one of our requests (RFC 8445 §7.2.5).
    func handleResponse(
        _ message: STUNMessage, from: TransportAddress, to: TransportAddress, now: ContinuousClock.Instant
    ) {
        guard let transaction = transactions[message.transactionID] else {
            statistics.unmatchedResponses += 1
            return
        }
        if case .gather = transaction.purpose {
            guard from == transaction.remote else {
                statistics.unmatchedResponses += 1
                return
            }
            transactions[message.transactionID] = nil
            handleGatherResponse(message, transaction: transaction, from: from)
            return
        }
        guard let key = transaction.integrityKey, message.hasValidIntegrity(key: key) else {
            // Leave the transaction open: a forged response must not cancel the genuine one.
            statistics.unauthenticatedMessages += 1
            return
        }
        transactions[message.transactionID] = nil
        // RFC 8445 §7.2.5.2.1: the response must come back over the same two addresses.
        let symmetric = from == transaction.remote && to == transaction.local
        switch transaction.purpose {
        case .check(let pairKey, let useCandidate, let claimedRole):
            handleCheckResponse(message, pairKey: pairKey, useCandidate: useCandidate, claimedRole: claimedRole,
                                symmetric: symmetric, now: now)
        case .consent(let pairKey):
            if symmetric, message.messageClass == .successResponse { refreshConsent(for: pairKey, now: now) }
        case .gather:
            break
        }
    }

    private func handleCheckResponse(
        _ message: STUNMessage, pairKey: ICEPairKey, useCandidate: Bool, claimedRole: ICERole, symmetric: Bool,
        now: ContinuousClock.Instant
    ) {
        guard var pair = pairs[pairKey] else { return }  // from before a restart
        if message.messageClass == .errorResponse {
            if message.errorCode?.code == 487 {
                // RFC 8445 §7.2.5.1: switch to the role the request did not claim, and check again.
                statistics.roleConflicts += 1
                if role == claimedRole { switchRole(to: claimedRole.opposite) }
                pairs[pairKey]?.state = .waiting
                triggeredChecks.append((pairKey, false))
            } else {
                pairs[pairKey]?.state = .failed
            }
            if nominatingPair == pairKey { nominatingPair = nil }
            return
        }
        guard symmetric else {
            pairs[pairKey]?.state = .failed
            return
        }
        pair.state = .succeeded
        if useCandidate && claimedRole == .controlling && role == .controlling { pair.nominated = true }
        if role == .controlled && pair.remoteNominated { pair.nominated = true }
        if nominatingPair == pairKey { nominatingPair = nil }
        pairs[pairKey] = pair
        if firstSuccessAt == nil { firstSuccessAt = now }
        // RFC 8445 §7.2.5.3.3: a success thaws the frozen pairs of the same foundation.
        for (key, other) in pairs where other.state == .frozen && other.foundation == pair.foundation {
            pairs[key]?.state = .waiting
        }
        refreshConsent(for: pairKey, now: now)
        updateSelection(now: now)
        processNomination(now: now)
    }

    // MARK: - Nomination and failure

    /// Regular nomination (RFC 8445 §8.1.1): once the best working pair can no longer be beaten by a
    /// pending better pair (or `nominationTimeout` passed), check it again with USE-CANDIDATE.
    func processNomination(now: ContinuousClock.Instant) {
        guard role == .controlling, !configuration.isLite, nominatingPair == nil,
            !pairs.values.contains(where: { $0.nominated }),
            let best = pairs.values.filter({ $0.state == .succeeded }).max(by: { $0.priority < $1.priority })
        else { return }
        let betterPending = pairs.values.contains { $0.isPending && $0.priority > best.priority }
        let waitedLongEnough = firstSuccessAt.map { now >= $0 + configuration.nominationTimeout } ?? true
        guard !betterPending || waitedLongEnough else { return }
        nominatingPair = best.key
        triggeredChecks.insert((best.key, true), at: 0)
    }

    /// RFC 8445 §8.1.2: fail when nothing works and nothing is left to try, or after `failureTimeout`.
    func processFailure(now: ContinuousClock.Instant) {
        guard selected == nil, state == .checking, let checkingStartedAt else { return }
        let nothingLeft = !pairs.isEmpty && triggeredChecks.isEmpty && pairs.values.allSatisfy { $0.state == .failed }
        if (nothingLeft && remoteEndOfCandidatesSeen) || now >= checkingStartedAt + configuration.failureTimeout {
            setState(.failed)
        }
    }
}
