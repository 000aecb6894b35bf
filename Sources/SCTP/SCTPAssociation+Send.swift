/// The sending half: the message queue, fragmentation into DATA, congestion control, SACK
/// processing, T3-rtx and fast retransmit (RFC 9260 §6–7), and abandonment with FORWARD TSN
/// (RFC 3758 §3.5).

/// A message waiting to be cut into DATA chunks.
struct OutboundMessage {
    var id: UInt64
    var streamID: UInt16
    var ssn: UInt16
    var unordered: Bool
    var ppid: UInt32
    var payload: [UInt8]
    /// Bytes already cut into chunks.
    var offset = 0
    var maxRetransmits: UInt32?
    var expiry: ContinuousClock.Instant?
}

/// A DATA chunk with a TSN, in flight or waiting for retransmission.
struct OutboundChunk {
    var data: DataChunk
    var messageID: UInt64
    var maxRetransmits: UInt32?
    var expiry: ContinuousClock.Instant?
    var sentAt: ContinuousClock.Instant?
    var transmissions = 0
    var acked = false
    var inFlight = false
    var needsRetransmit = false
    var abandoned = false
    var missIndications = 0
    var fastRetransmitted = false

    var size: Int { data.userData.count }
}

extension SCTPAssociation {
    static let maxBurst = 4

    /// User data bytes per DATA chunk: the MTU less the common header and the DATA header.
    var maxFragment: Int { max(64, (configuration.mtu - SCTPPacket.headerSize - 16) & ~3) }

    mutating func enqueue(streamID: UInt16, unordered: Bool, ppid: UInt32, payload: [UInt8],
                          maxRetransmits: UInt32?, lifetime: Duration?, now: ContinuousClock.Instant?) {
        var ssn: UInt16 = 0
        if !unordered {
            ssn = outboundSSN[streamID, default: 0]
            outboundSSN[streamID] = ssn &+ 1
        }
        pending.append(OutboundMessage(id: nextMessageID, streamID: streamID, ssn: ssn, unordered: unordered, ppid: ppid,
                                       payload: payload, maxRetransmits: maxRetransmits, expiry: lifetime.flatMap { lifetime in now.map { $0 + lifetime } }))
        nextMessageID += 1
    }

    /// Sends what may be sent now: control chunks, retransmissions, then new data, packed into
    /// packets of at most one MTU, within the congestion and receive windows.
    mutating func flush(now: ContinuousClock.Instant) {
        guard state != .terminated else { control.removeAll(); return }
        let canSendData = isEstablishedOrShuttingDown && state != .shutdownAckSent
        if canSendData {
            if hasTimedChannels { abandonExpired(now: now) }
            startPendingResets(now: now)
        }
        if sackNow || (sackNeeded && delayedAckDeadline == nil) {
            control.append(.sack(makeSack()))
            sackNow = false
            sackNeeded = false
            dataPacketsSinceSack = 0
            delayedAckDeadline = nil
        }
        if forwardTSNNeeded, canSendData, let forward = makeForwardTSN() {
            control.append(.forwardTSN(forward))
            // T3 also guards the FORWARD TSN: if it is lost while nothing else is outstanding, no
            // SACK would ever ask for it again (RFC 3758 §3.5 C3).
            if t3Deadline == nil { t3Deadline = now + rto }
        }
        forwardTSNNeeded = false
        var chunks: [SCTPChunk] = []
        var size = SCTPPacket.headerSize
        var shipped = 0
        func ship(_ association: inout SCTPAssociation) {
            guard !chunks.isEmpty else { return }
            shipped += 1
            association.transmit(SCTPPacket(sourcePort: association.configuration.localPort,
                                            destinationPort: association.configuration.remotePort,
                                            verificationTag: association.peerTag, chunks: chunks))
            chunks.removeAll(keepingCapacity: true)
            size = SCTPPacket.headerSize
        }
        for chunk in control {
            let chunkSize = chunk.serializedSize
            if size + chunkSize > configuration.mtu { ship(&self) }
            chunks.append(chunk)
            size += chunkSize
        }
        control.removeAll(keepingCapacity: true)
        if canSendData {
            var sentData = false
            // Retransmissions first (RFC 9260 §6.1 rule C), limited by cwnd except for the first packet.
            for index in inflight.indices where retransmitsQueued && inflight[index].needsRetransmit && !inflight[index].acked && !inflight[index].abandoned {
                if flightSize >= cwnd && sentData { break }
                if let limit = inflight[index].maxRetransmits, inflight[index].transmissions > Int(limit) {
                    abandonMessage(inflight[index].messageID)
                    continue
                }
                let chunkSize = 16 + (inflight[index].size + 3) & ~3
                if size + chunkSize > configuration.mtu { ship(&self) }
                inflight[index].needsRetransmit = false
                inflight[index].transmissions += 1
                inflight[index].sentAt = nil  // Karn: no RTT sample from a retransmission
                inflight[index].inFlight = true
                flightSize += inflight[index].size
                stats.retransmittedChunks += 1
                chunks.append(.data(inflight[index].data))
                size += chunkSize
                sentData = true
            }
            retransmitsQueued = retransmitsQueued && inflight.indices.contains { inflight[$0].needsRetransmit }
            // New data, while the windows allow (one packet may go when nothing is in flight: the
            // zero-window probe of RFC 9260 §6.1 rule A).
            // At most Max.Burst (4) packets at once (RFC 9260 §6.1): the SACK clock spaces the rest,
            // so one flush cannot overrun a receiver's socket buffer with a whole window.
            while let message = pending.first {
                guard flightSize < cwnd, flightSize < peerReceiveWindow || flightSize == 0 else { break }
                let fragment = min(maxFragment, message.payload.count - message.offset)
                let chunkSize = 16 + (fragment + 3) & ~3
                if size + chunkSize > configuration.mtu {
                    if shipped >= Self.maxBurst { break }
                    ship(&self)
                }
                let begins = message.offset == 0
                let ends = message.offset + fragment == message.payload.count
                let data = DataChunk(tsn: nextTSN, streamID: message.streamID, ssn: message.ssn, ppid: message.ppid,
                                     userData: Array(message.payload[message.offset..<message.offset + fragment]),
                                     unordered: message.unordered, beginning: begins, ending: ends)
                nextTSN &+= 1
                var chunk = OutboundChunk(data: data, messageID: message.id, maxRetransmits: message.maxRetransmits, expiry: message.expiry)
                chunk.sentAt = now
                chunk.transmissions = 1
                chunk.inFlight = true
                flightSize += fragment
                inflight.append(chunk)
                chunks.append(.data(data))
                size += chunkSize
                sentData = true
                if ends {
                    _ = pending.popFirst()
                    stats.messagesSent += 1
                } else {
                    pending[pending.head].offset += fragment
                }
            }
            if sentData && t3Deadline == nil { t3Deadline = now + rto }
        }
        ship(&self)
        if canSendData { maybeSendShutdown(now: now) }
    }

    /// Chunks neither acked nor abandoned: each is in flight (counted in `flightSize`, at least one
    /// byte) or queued for retransmission.
    var hasOutstandingData: Bool {
        flightSize > 0 || (retransmitsQueued && inflight.indices.contains { inflight[$0].needsRetransmit })
    }

    /// Only channels with a lifetime need the per-flush scan for expired messages.
    var hasTimedChannels: Bool { channels.values.contains { $0.options.maxPacketLifeTime != nil } }

    // MARK: SACK (RFC 9260 §6.2.1)

    mutating func handleSack(_ sack: SackChunk, now: ContinuousClock.Instant) {
        let cumulative = sack.cumulativeTSNAck
        guard !tsnLess(cumulative, peerCumulativeAck) else { return }  // an old, reordered SACK
        guard tsnLess(cumulative, nextTSN) else { emit(.error("SCTP: SACK acknowledges TSN \(cumulative) we never sent")); return }
        let advanced = tsnLess(peerCumulativeAck, cumulative)
        var bytesAcked = 0
        var rttSample: Duration?
        // Everything up to the cumulative ack leaves the queue.
        while let first = inflight.first, tsnLessOrEqual(first.data.tsn, cumulative) {
            let chunk = inflight.popFirst()!
            if !chunk.acked && !chunk.abandoned {
                bytesAcked += chunk.size
                release(chunk)
            }
            if chunk.inFlight { flightSize -= chunk.size }
            if chunk.transmissions == 1, let sentAt = chunk.sentAt { rttSample = now - sentAt }
        }
        peerCumulativeAck = cumulative
        if tsnLess(advancedPeerAckPoint, cumulative) { advancedPeerAckPoint = cumulative }
        // Gap-ack blocks.
        var highestGapAcked: UInt32?
        for block in sack.gapBlocks where block.start <= block.end && block.start > 0 {
            let start = cumulative &+ UInt32(block.start), end = cumulative &+ UInt32(block.end)
            highestGapAcked = highestGapAcked.map { tsnLess($0, end) ? end : $0 } ?? end
            for index in inflight.indices {
                let tsn = inflight[index].data.tsn
                if tsnLess(end, tsn) { break }
                guard tsnLessOrEqual(start, tsn), !inflight[index].acked else { continue }
                inflight[index].acked = true
                inflight[index].needsRetransmit = false
                if inflight[index].inFlight { flightSize -= inflight[index].size; inflight[index].inFlight = false }
                if !inflight[index].abandoned {
                    bytesAcked += inflight[index].size
                    release(inflight[index])
                }
                if inflight[index].transmissions == 1, let sentAt = inflight[index].sentAt { rttSample = now - sentAt }
            }
        }
        if let rttSample { updateRTO(rttSample) }
        // Fast retransmit: three miss indications (RFC 9260 §7.2.4).
        if let highest = highestGapAcked {
            var startedRecovery = false
            for index in inflight.indices {
                let tsn = inflight[index].data.tsn
                if !tsnLess(tsn, highest) { break }
                // A chunk is fast-retransmitted once; after that only T3 retransmits it (RFC 9260 §7.2.4).
                guard !inflight[index].acked, !inflight[index].abandoned, !inflight[index].needsRetransmit,
                      !inflight[index].fastRetransmitted else { continue }
                inflight[index].missIndications += 1
                if inflight[index].missIndications == 3 {
                    inflight[index].missIndications = 0
                    inflight[index].fastRetransmitted = true
                    inflight[index].needsRetransmit = true
                    retransmitsQueued = true
                    if inflight[index].inFlight { flightSize -= inflight[index].size; inflight[index].inFlight = false }
                    stats.fastRetransmits += 1
                    if fastRecoveryExit == nil && !startedRecovery {
                        ssthresh = max(cwnd / 2, 4 * configuration.mtu)
                        cwnd = ssthresh
                        partialBytesAcked = 0
                        fastRecoveryExit = nextTSN &- 1
                        startedRecovery = true
                    }
                }
            }
        }
        if let exit = fastRecoveryExit, tsnLessOrEqual(exit, cumulative) { fastRecoveryExit = nil }
        // Congestion window (RFC 9260 §7.2.1–7.2.2).
        if advanced && fastRecoveryExit == nil && bytesAcked > 0 {
            if cwnd <= ssthresh {
                cwnd += min(bytesAcked, configuration.mtu)
            } else {
                partialBytesAcked += bytesAcked
                if partialBytesAcked >= cwnd {
                    partialBytesAcked -= cwnd
                    cwnd += configuration.mtu
                }
            }
        }
        peerReceiveWindow = max(0, Int(sack.advertisedReceiverWindow) - flightSize)
        if advanced { errorCount = 0 }
        if !hasOutstandingData && !tsnLess(peerCumulativeAck, advancedPeerAckPoint) {
            t3Deadline = nil
        } else if advanced {
            t3Deadline = now + rto
        }
        if tsnLess(peerCumulativeAck, advancedPeerAckPoint) { forwardTSNNeeded = true }
    }

    /// A chunk is off our hands (acked or abandoned): the channel's buffered amount drops.
    mutating func release(_ chunk: OutboundChunk) {
        reduceBuffered(streamID: chunk.data.streamID, by: chunk.size)
    }

    mutating func reduceBuffered(streamID: UInt16, by bytes: Int) {
        guard var channel = channels[streamID] else { return }
        let before = channel.bufferedAmount
        channel.bufferedAmount = max(0, before - bytes)
        channels[streamID] = channel
        if before > channel.lowThreshold && channel.bufferedAmount <= channel.lowThreshold {
            emit(.bufferedAmountLow(channelID: streamID))
        }
    }

    mutating func updateRTO(_ sample: Duration) {
        if let srtt {
            let delta = srtt > sample ? srtt - sample : sample - srtt
            rttvar = rttvar * 0.75 + delta * 0.25
            self.srtt = srtt * 0.875 + sample * 0.125
        } else {
            srtt = sample
            rttvar = sample / 2
        }
        rto = min(max(srtt! + rttvar * 4, configuration.rtoMin), configuration.rtoMax)
    }

    // MARK: T3-rtx (RFC 9260 §6.3.3)

    mutating func fireT3(now: ContinuousClock.Instant) {
        t3Deadline = nil
        guard hasOutstandingData else {
            if tsnLess(peerCumulativeAck, advancedPeerAckPoint) {
                forwardTSNNeeded = true
                if countError() { return }
                t3Deadline = now + rto
            }
            return
        }
        stats.t3Expirations += 1
        if countError() { return }
        rto = min(rto * 2, configuration.rtoMax)
        ssthresh = max(cwnd / 2, 4 * configuration.mtu)
        cwnd = configuration.mtu
        partialBytesAcked = 0
        fastRecoveryExit = nil
        for index in inflight.indices where !inflight[index].acked && !inflight[index].abandoned {
            inflight[index].needsRetransmit = true
            inflight[index].fastRetransmitted = false
            inflight[index].missIndications = 0
            retransmitsQueued = true
            if inflight[index].inFlight { flightSize -= inflight[index].size; inflight[index].inFlight = false }
        }
        if tsnLess(peerCumulativeAck, advancedPeerAckPoint) { forwardTSNNeeded = true }
        t3Deadline = now + rto
    }

    // MARK: Partial reliability (RFC 3758)

    mutating func abandonExpired(now: ContinuousClock.Instant) {
        var expired: [UInt64] = []
        for index in inflight.indices {
            let chunk = inflight[index]
            if !chunk.acked, !chunk.abandoned, let expiry = chunk.expiry, expiry <= now { expired.append(chunk.messageID) }
        }
        for index in pending.indices {
            if let expiry = pending[index].expiry, expiry <= now { expired.append(pending[index].id) }
        }
        for id in Set(expired).sorted() { abandonMessage(id) }
    }

    /// Gives up on a message: its chunks in flight are skipped by FORWARD TSN, its unsent rest is dropped.
    mutating func abandonMessage(_ id: UInt64) {
        var found = false
        for index in inflight.indices where inflight[index].messageID == id && !inflight[index].abandoned {
            found = true
            if !inflight[index].acked { release(inflight[index]) }
            inflight[index].abandoned = true
            inflight[index].needsRetransmit = false
            if inflight[index].inFlight { flightSize -= inflight[index].size; inflight[index].inFlight = false }
        }
        for index in pending.indices where pending[index].id == id {
            found = true
            let message = pending[index]
            reduceBuffered(streamID: message.streamID, by: message.payload.count - message.offset)
            if message.offset > 0 {
                // Part of it already has TSNs: keep the SSN consumed, just drop the rest.
                pending[index].payload = []
                pending[index].offset = 0
            }
        }
        if found { stats.abandonedMessages += 1 }
        pending.removeAll { $0.id == id }
        // Move the advanced peer ack point across abandoned chunks at the front.
        var point = advancedPeerAckPoint
        for index in inflight.indices {
            let chunk = inflight[index]
            guard chunk.data.tsn == point &+ 1 else {
                if tsnLessOrEqual(chunk.data.tsn, point) { continue }
                break
            }
            if chunk.abandoned || chunk.acked { point = chunk.data.tsn } else { break }
        }
        if tsnLess(advancedPeerAckPoint, point) {
            advancedPeerAckPoint = point
            forwardTSNNeeded = true
        }
    }

    func makeForwardTSN() -> ForwardTSNChunk? {
        guard peerSupportsForwardTSN, tsnLess(peerCumulativeAck, advancedPeerAckPoint) else { return nil }
        var lastSSN: [UInt16: UInt16] = [:]
        for index in inflight.indices {
            let chunk = inflight[index]
            if tsnLess(advancedPeerAckPoint, chunk.data.tsn) { break }
            if chunk.abandoned && !chunk.data.unordered {
                let current = lastSSN[chunk.data.streamID]
                if current == nil || ssnLess(current!, chunk.data.ssn) { lastSSN[chunk.data.streamID] = chunk.data.ssn }
            }
        }
        return ForwardTSNChunk(newCumulativeTSN: advancedPeerAckPoint,
                               skipped: lastSSN.keys.sorted().map { .init(streamID: $0, ssn: lastSSN[$0]!) })
    }

    // MARK: Shutdown (RFC 9260 §9.2)

    mutating func requestShutdown() {
        shutdownRequested = true
        switch state {
        case .established: state = .shutdownPending
        case .closed, .cookieWait, .cookieEchoed: terminate("SCTP: closed before the association was up")
        default: break
        }
    }

    var everythingAcked: Bool { pending.isEmpty && inflight.isEmpty }

    mutating func maybeSendShutdown(now: ContinuousClock.Instant) {
        if state == .shutdownPending && everythingAcked {
            state = .shutdownSent
            transmit(SCTPPacket(sourcePort: configuration.localPort, destinationPort: configuration.remotePort,
                                verificationTag: peerTag, chunks: [.shutdown(ShutdownChunk(cumulativeTSNAck: cumulativeTSN))]))
            t2Deadline = now + rto
        } else if state == .shutdownReceived && everythingAcked {
            state = .shutdownAckSent
            transmit(SCTPPacket(sourcePort: configuration.localPort, destinationPort: configuration.remotePort,
                                verificationTag: peerTag, chunks: [.shutdownAck]))
            t2Deadline = now + rto
        }
    }

    mutating func handleShutdown(_ chunk: ShutdownChunk, now: ContinuousClock.Instant) {
        guard isEstablishedOrShuttingDown else { return }
        // The peer's cumulative ack in SHUTDOWN acknowledges our data like a SACK would.
        handleSack(SackChunk(cumulativeTSNAck: chunk.cumulativeTSNAck, advertisedReceiverWindow: UInt32(max(0, peerReceiveWindow))), now: now)
        switch state {
        case .established, .shutdownPending: state = .shutdownReceived
        case .shutdownSent:
            // Both sides shut down at once: answer with SHUTDOWN ACK (RFC 9260 §9.2).
            state = .shutdownAckSent
            transmit(SCTPPacket(sourcePort: configuration.localPort, destinationPort: configuration.remotePort,
                                verificationTag: peerTag, chunks: [.shutdownAck]))
            t2Deadline = now + rto
        default: break
        }
    }

    mutating func handleShutdownAck() {
        guard state == .shutdownSent || state == .shutdownAckSent else { return }
        transmit(SCTPPacket(sourcePort: configuration.localPort, destinationPort: configuration.remotePort,
                            verificationTag: peerTag, chunks: [.shutdownComplete(tagReflected: false)]))
        terminate("SCTP: shut down")
    }

    mutating func fireT2(now: ContinuousClock.Instant) {
        t2Deadline = nil
        if countError() { return }
        rto = min(rto * 2, configuration.rtoMax)
        switch state {
        case .shutdownSent:
            transmit(SCTPPacket(sourcePort: configuration.localPort, destinationPort: configuration.remotePort,
                                verificationTag: peerTag, chunks: [.shutdown(ShutdownChunk(cumulativeTSNAck: cumulativeTSN))]))
            t2Deadline = now + rto
        case .shutdownAckSent:
            transmit(SCTPPacket(sourcePort: configuration.localPort, destinationPort: configuration.remotePort,
                                verificationTag: peerTag, chunks: [.shutdownAck]))
            t2Deadline = now + rto
        default: break
        }
    }
}
