/// Choosing the pair media uses, and keeping consent to send on it (RFC 8445 §8.1.1, RFC 7675).
extension ICEAgent {
    /// Prefers a nominated pair of the current generation; before any nomination, the best working pair
    /// is used provisionally, but only if nothing is selected yet (an ICE restart keeps the old path).
    func updateSelection(now: ContinuousClock.Instant) {
        // RFC 7675 §5.1: after consent is lost only an ICE restart may bring the session back.
        guard state != .failed else { return }
        let nominated = pairs.values.filter { $0.nominated && $0.state == .succeeded }
            .max(by: { $0.priority < $1.priority })
        if let nominated {
            select(nominated.key, nominated: true, now: now)
        } else if selected == nil,
            let best = pairs.values.filter({ $0.state == .succeeded }).max(by: { $0.priority < $1.priority })
        {
            select(best.key, nominated: false, now: now)
        }
    }

    private func select(_ key: ICEPairKey, nominated: Bool, now: ContinuousClock.Instant) {
        if nominated { stopRemainingChecks(nominated: key) }
        if var current = selected, current.key == key, current.generation == generation {
            if nominated && !current.nominated {
                current.nominated = true
                selected = current
                setState(.completed)
            }
            return
        }
        selected = SelectedPath(
            key: key, nominated: nominated, generation: generation, lastConsentAt: now,
            nextConsentAt: now + randomConsentInterval(), consentEnabled: !configuration.isLite)
        emit(.selectedPairChanged(local: key.local, remote: key.remote))
        setState(nominated ? .completed : .connected)
    }

    /// RFC 8445 §8.1.2: with a nominated pair, waiting and frozen pairs are dropped and lower-priority
    /// checks stop retransmitting; nothing better can come of them.
    private func stopRemainingChecks(nominated key: ICEPairKey) {
        let floor = pairs[key]?.priority ?? 0
        for (pairKey, pair) in pairs where pair.state == .waiting || pair.state == .frozen {
            pairs[pairKey]?.state = .failed
        }
        triggeredChecks.removeAll { !$0.useCandidate }
        transactions = transactions.filter { _, transaction in
            guard case .check(let pairKey, _, _) = transaction.purpose, pairKey != key else { return true }
            return (pairs[pairKey]?.priority ?? 0) > floor
        }
    }

    /// An authenticated success response arrived over `key`: consent is fresh again.
    func refreshConsent(for key: ICEPairKey, now: ContinuousClock.Instant) {
        guard var current = selected, current.key == key else { return }
        current.lastConsentAt = now
        selected = current
        if state == .disconnected { setState(current.nominated ? .completed : .connected) }
    }

    /// Sends consent requests every 4–6 s and declares `disconnected`/`failed` when responses stop.
    func processConsent(now: ContinuousClock.Instant) {
        guard var current = selected, current.consentEnabled else { return }
        let silence = now - current.lastConsentAt
        if silence >= configuration.consentTimeout {
            // RFC 7675 §5.1: consent expired; stop sending on this path.
            selected = nil
            if current.generation != generation {
                // An ICE restart is under way: the old path died, the new generation may still succeed.
                setState(checkingStartedAt == nil ? .new : .checking)
                return
            }
            for key in pairs.keys where key == current.key { pairs[key]?.state = .failed }
            setState(.failed)
            return
        }
        if silence >= configuration.disconnectedTimeout { setState(.disconnected) }
        guard now >= current.nextConsentAt else { return }
        current.nextConsentAt = now + randomConsentInterval()
        selected = current
        sendConsentRequest(on: current.key, now: now)
    }

    private func sendConsentRequest(on key: ICEPairKey, now: ContinuousClock.Instant) {
        guard let remote = remoteCredentials ?? previousRemoteCredentials else { return }
        let local = hostCandidates.first { $0.address == key.local }
        let request = STUNMessage(messageClass: .request, attributes: [
            .username("\(remote.usernameFragment):\(localCredentials.usernameFragment)"),
            .priority(local.map(peerReflexivePriority(of:)) ?? 0),
            role == .controlling ? .iceControlling(tieBreaker) : .iceControlled(tieBreaker),
        ])
        guard let bytes = try? request.encoded(integrityKey: remote.integrityKey, fingerprint: true) else { return }
        transactions[request.transactionID] = ICETransaction(
            purpose: .consent(key), bytes: bytes, local: key.local, remote: key.remote,
            integrityKey: remote.integrityKey, transmissions: 1,
            retransmitTimeout: configuration.checkRetransmitTimeout, deadline: now + configuration.checkRetransmitTimeout)
        statistics.consentRequestsSent += 1
        emit(.transmit(bytes, from: key.local, to: key.remote))
    }

    private func randomConsentInterval() -> Duration {
        let range = configuration.consentInterval
        return range.lowerBound + (range.upperBound - range.lowerBound) * Double.random(in: 0...1)
    }
}
