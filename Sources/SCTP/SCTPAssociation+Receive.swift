/// The receiving half: DATA acceptance within the window, reassembly and ordered delivery per
/// stream, SACK generation with gap blocks (RFC 9260 §6.2, §6.5, §6.9), and FORWARD TSN
/// (RFC 3758 §3.6).

/// One incoming stream's fragments and ordered-delivery position.
struct InboundStream {
    var nextSSN: UInt16 = 0
    /// Fragments not yet part of a complete message, by TSN.
    var fragments: [UInt32: DataChunk] = [:]
    /// Complete ordered messages waiting for an earlier SSN.
    var ready: [UInt16: (ppid: UInt32, payload: [UInt8], size: Int)] = [:]
}

extension SCTPAssociation {
    /// At most this many TSNs ahead of the cumulative TSN are buffered: 2 MiB of 1,172-byte
    /// fragments is under 2,000, and a hostile peer sending one-byte chunks meets this bound first.
    static let maxTSNsAhead: UInt32 = 16_384
    static let maxGapBlocks = 64
    static let maxDuplicates = 16

    mutating func handleData(_ chunk: DataChunk, now: ContinuousClock.Instant) {
        if chunk.immediate { sackNow = true }
        guard !chunk.userData.isEmpty else {
            // RFC 9260 §6.2: DATA without user data is a protocol error; ignore it, keep going.
            emit(.error("SCTP: DATA chunk \(chunk.tsn) without user data"))
            return
        }
        let tsn = chunk.tsn
        if tsnLessOrEqual(tsn, cumulativeTSN) || receivedAbove.contains(tsn) {
            if duplicates.count < Self.maxDuplicates { duplicates.append(tsn) }
            sackNow = true
            return
        }
        guard tsn &- cumulativeTSN <= Self.maxTSNsAhead,
              bufferedReceiveBytes + chunk.userData.count <= configuration.receiveWindow else {
            return  // beyond our window: dropped, the peer retransmits once we have room
        }
        if tsn != cumulativeTSN &+ 1 || !receivedAbove.isEmpty { sackNow = true }  // a gap: report it now
        receivedAbove.insert(tsn)
        while receivedAbove.remove(cumulativeTSN &+ 1) != nil { cumulativeTSN &+= 1 }
        bufferedReceiveBytes += chunk.userData.count
        stats.bytesReceived += chunk.userData.count
        // Taken out and put back, so the fragments dictionary is mutated in place, not copied.
        var stream = inbound.removeValue(forKey: chunk.streamID) ?? InboundStream()
        stream.fragments[tsn] = chunk
        assemble(around: tsn, in: &stream, streamID: chunk.streamID)
        inbound[chunk.streamID] = stream
        deliverReady(streamID: chunk.streamID)
    }

    /// If the fragment at `tsn` completes a message (B…E on consecutive TSNs), takes it out of the
    /// fragments: unordered messages are delivered, ordered ones parked by SSN.
    mutating func assemble(around tsn: UInt32, in stream: inout InboundStream, streamID: UInt16) {
        guard let chunk = stream.fragments[tsn] else { return }
        // A middle fragment whose successor has not arrived cannot complete a message: skip the
        // walk, which keeps in-order reassembly linear rather than quadratic in fragments.
        if !chunk.ending && stream.fragments[tsn &+ 1] == nil { return }
        var first = tsn
        var current = chunk
        while !current.beginning {
            guard let previous = stream.fragments[first &- 1], previous.unordered == chunk.unordered,
                  chunk.unordered || previous.ssn == chunk.ssn, !previous.ending else { return }
            first &-= 1
            current = previous
        }
        var last = tsn
        current = chunk
        while !current.ending {
            guard let next = stream.fragments[last &+ 1], next.unordered == chunk.unordered,
                  chunk.unordered || next.ssn == chunk.ssn, !next.beginning else { return }
            last &+= 1
            current = next
        }
        var payload: [UInt8] = []
        var size = 0
        var cursor = first
        while true {
            let fragment = stream.fragments.removeValue(forKey: cursor)!
            size += fragment.userData.count
            if first == last { payload = fragment.userData } else { payload.append(contentsOf: fragment.userData) }
            if cursor == last { break }
            cursor &+= 1
        }
        let ppid = chunk.ppid
        if chunk.unordered {
            bufferedReceiveBytes -= size
            deliver(streamID: streamID, ppid: ppid, payload: payload)
        } else if ssnLess(chunk.ssn, stream.nextSSN) {
            bufferedReceiveBytes -= size  // already skipped by FORWARD TSN or a stream reset
        } else {
            stream.ready[chunk.ssn] = (ppid, payload, size)
        }
    }

    mutating func deliverReady(streamID: UInt16) {
        while let next = inbound[streamID]?.nextSSN, let message = inbound[streamID]?.ready.removeValue(forKey: next) {
            inbound[streamID]!.nextSSN = next &+ 1
            bufferedReceiveBytes -= message.size
            deliver(streamID: streamID, ppid: message.ppid, payload: message.payload)
        }
    }

    mutating func noteDataPacket(now: ContinuousClock.Instant) {
        dataPacketsSinceSack += 1
        // Delayed ack (RFC 9260 §6.2): every second DATA packet, or within 200 ms.
        if dataPacketsSinceSack >= 2 || sackNow {
            sackNow = true
        } else {
            sackNeeded = true
            if delayedAckDeadline == nil { delayedAckDeadline = now + configuration.delayedAckTimeout }
        }
    }

    var advertisedWindow: UInt32 { UInt32(max(0, configuration.receiveWindow - bufferedReceiveBytes)) }

    mutating func makeSack() -> SackChunk {
        var blocks: [SackChunk.GapBlock] = []
        if !receivedAbove.isEmpty {
            let offsets = receivedAbove.map { $0 &- cumulativeTSN }.sorted()
            var start = offsets[0], end = offsets[0]
            for offset in offsets.dropFirst() {
                if offset == end + 1 { end = offset; continue }
                blocks.append(.init(start: UInt16(clamping: start), end: UInt16(clamping: end)))
                start = offset; end = offset
                if blocks.count == Self.maxGapBlocks { break }
            }
            if blocks.count < Self.maxGapBlocks { blocks.append(.init(start: UInt16(clamping: start), end: UInt16(clamping: end))) }
        }
        defer { duplicates.removeAll() }
        return SackChunk(cumulativeTSNAck: cumulativeTSN, advertisedReceiverWindow: advertisedWindow,
                         gapBlocks: blocks, duplicateTSNs: duplicates)
    }

    // MARK: FORWARD TSN (RFC 3758 §3.6)

    mutating func handleForwardTSN(_ chunk: ForwardTSNChunk) {
        sackNow = true
        let newCumulative = chunk.newCumulativeTSN
        guard tsnLess(cumulativeTSN, newCumulative) else { return }
        guard newCumulative &- cumulativeTSN <= Self.maxTSNsAhead * 4 else {
            emit(.error("SCTP: FORWARD TSN jumps too far ahead")); return
        }
        cumulativeTSN = newCumulative
        receivedAbove = receivedAbove.filter { tsnLess(newCumulative, $0) }
        while receivedAbove.remove(cumulativeTSN &+ 1) != nil { cumulativeTSN &+= 1 }
        // Fragments at or below the new cumulative TSN belong to abandoned messages.
        for streamID in inbound.keys {
            let stale = inbound[streamID]!.fragments.filter { tsnLessOrEqual($0.key, newCumulative) }
            for (tsn, fragment) in stale {
                inbound[streamID]!.fragments.removeValue(forKey: tsn)
                bufferedReceiveBytes -= fragment.userData.count
            }
        }
        for skipped in chunk.skipped {
            var stream = inbound[skipped.streamID, default: InboundStream()]
            // Complete messages up to the skipped SSN are still delivered, in order.
            while !ssnLess(skipped.ssn, stream.nextSSN) {
                if let message = stream.ready.removeValue(forKey: stream.nextSSN) {
                    bufferedReceiveBytes -= message.size
                    inbound[skipped.streamID] = stream
                    deliver(streamID: skipped.streamID, ppid: message.ppid, payload: message.payload)
                    stream = inbound[skipped.streamID]!
                }
                stream.nextSSN &+= 1
            }
            inbound[skipped.streamID] = stream
            deliverReady(streamID: skipped.streamID)
        }
    }
}
