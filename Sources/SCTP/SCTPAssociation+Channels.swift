/// Data channels on top of the association: stream-id allocation, DCEP open/ack (RFC 8832 §6),
/// PPIDs (RFC 8831 §8), buffered amount, and closing by stream reset (RFC 8831 §6.7, RFC 6525).

struct Channel {
    var id: UInt16
    var options: DataChannelOptions
    var remote: Bool
    /// An in-band channel we opened and the peer has not acked: send ordered until then (RFC 8832 §6).
    var awaitingAck: Bool
    /// Opened (pre-negotiated) before the association was up: announce once it is.
    var announcePending = false
    var bufferedAmount = 0
    var lowThreshold = 0
    var closing = false
    var outgoingReset = false
    var incomingReset = false

    var info: DataChannelInfo { DataChannelInfo(id: id, options: options, remote: remote) }
}

extension SCTPAssociation {
    /// The lowest free stream id of our parity (even for the DTLS client, RFC 8832 §6).
    var nextFreeChannelID: UInt16? {
        var id: UInt16 = configuration.isDTLSClient ? 0 : 1
        while id < 65535 {
            if channels[id] == nil && !resetQueue.contains(id) { return id }
            id += 2
        }
        return nil
    }

    @discardableResult
    mutating func openChannel(_ options: DataChannelOptions, now: ContinuousClock.Instant) -> UInt16? {
        guard state != .terminated, !shutdownRequested else { emit(.error("SCTP: cannot open '\(options.label)': association closed")); return nil }
        guard let id = options.negotiatedID ?? nextFreeChannelID, id != 65535 else {
            emit(.error("SCTP: no free stream id for '\(options.label)'")); return nil
        }
        guard channels[id] == nil else { emit(.error("SCTP: stream id \(id) already in use")); return nil }
        var channel = Channel(id: id, options: options, remote: false, awaitingAck: options.negotiatedID == nil)
        if options.negotiatedID != nil {
            if state == .established { channels[id] = channel; emit(.channelOpen(channel.info)); return id }
            channel.announcePending = true
        } else {
            let open = DCEPMessage.open(DataChannelOpen(channelType: options.channelType, priority: options.priority,
                                                        reliabilityParameter: options.reliabilityParameter,
                                                        label: options.label, protocol: options.protocol))
            enqueue(streamID: id, unordered: false, ppid: PPID.dcep, payload: open.serialize(), maxRetransmits: nil, lifetime: nil, now: now)
        }
        channels[id] = channel
        return id
    }

    mutating func send(_ message: DataChannelMessage, on id: UInt16, now: ContinuousClock.Instant) {
        guard let channel = channels[id], !channel.closing, state != .terminated, !shutdownRequested else {
            emit(.error("SCTP: send on channel \(id), which is not open")); return
        }
        guard message.byteCount <= configuration.maxSendMessageSize else {
            emit(.error("SCTP: message of \(message.byteCount) bytes on channel \(id) exceeds the \(configuration.maxSendMessageSize)-byte limit"))
            return
        }
        let (ppid, payload) = message.wire
        channels[id]!.bufferedAmount += payload.count
        stats.bytesSent += payload.count
        enqueue(streamID: id, unordered: !channel.options.ordered && !channel.awaitingAck, ppid: ppid, payload: payload,
                maxRetransmits: channel.options.maxRetransmits, lifetime: channel.options.maxPacketLifeTime, now: now)
    }

    mutating func closeChannel(_ id: UInt16) {
        guard var channel = channels[id] else { emit(.error("SCTP: close of unknown channel \(id)")); return }
        guard !channel.closing else { return }
        channel.closing = true
        channels[id] = channel
        guard isEstablishedOrShuttingDown, peerSupportsReconfig else {
            // Without RE-CONFIG (or an association) there is nothing to tell the peer.
            channels[id] = nil
            emit(.channelClosed(id))
            return
        }
        resetQueue.append(id)
    }

    /// A complete message from stream `streamID`: DCEP or user data.
    mutating func deliver(streamID: UInt16, ppid: UInt32, payload: [UInt8]) {
        switch ppid {
        case PPID.dcep:
            let message: DCEPMessage
            do { message = try DCEPMessage.parse(payload) } catch { emit(.error(error.description)); return }
            switch message {
            case .open(let open):
                guard channels[streamID] == nil else {
                    emit(.error("SCTP: DATA_CHANNEL_OPEN on stream \(streamID), which is in use")); return
                }
                let channel = Channel(id: streamID, options: DataChannelOptions(open: open, id: streamID), remote: true, awaitingAck: false)
                channels[streamID] = channel
                enqueue(streamID: streamID, unordered: false, ppid: PPID.dcep, payload: DCEPMessage.ack.serialize(),
                        maxRetransmits: nil, lifetime: nil, now: nil)
                emit(.channelOpen(channel.info))
            case .ack:
                guard channels[streamID]?.awaitingAck == true else { return }
                channels[streamID]!.awaitingAck = false
                emit(.channelOpen(channels[streamID]!.info))
            }
        case PPID.string, PPID.binary, PPID.stringEmpty, PPID.binaryEmpty:
            guard channels[streamID] != nil else {
                emit(.error("SCTP: message on stream \(streamID), which has no channel")); return
            }
            stats.messagesReceived += 1
            let message: DataChannelMessage = switch ppid {
            case PPID.string: .text(String(decoding: payload, as: UTF8.self))
            case PPID.binary: .binary(payload)
            case PPID.stringEmpty: .text("")
            default: .binary([])
            }
            emit(.message(channelID: streamID, message))
        default:
            emit(.error("SCTP: message with unsupported PPID \(ppid) on stream \(streamID)"))
        }
    }

    // MARK: Stream reset (RFC 6525 §5)

    /// Sends one Outgoing SSN Reset Request for the queued streams whose messages all have TSNs.
    mutating func startPendingResets(now: ContinuousClock.Instant) {
        guard outstandingReset == nil, !resetQueue.isEmpty else { return }
        let ready = resetQueue.filter { stream in !pending.indices.contains { pending[$0].streamID == stream } }
        guard !ready.isEmpty else { return }
        resetQueue.removeAll { ready.contains($0) }
        let chunk = ReconfigChunk(parameters: [.outgoingReset(requestSequence: myRequestSequence,
                                                              responseSequence: peerRequestSequence &- 1,
                                                              senderLastTSN: nextTSN &- 1, streams: ready)])
        outstandingReset = (myRequestSequence, ready, chunk)
        control.append(.reconfig(chunk))
        reconfigDeadline = now + rto
    }

    mutating func fireReconfigTimer(now: ContinuousClock.Instant) {
        reconfigDeadline = nil
        guard let outstanding = outstandingReset else { return }
        if countError() { return }
        rto = min(rto * 2, configuration.rtoMax)
        control.append(.reconfig(outstanding.chunk))
        reconfigDeadline = now + rto
    }

    mutating func handleReconfig(_ chunk: ReconfigChunk, now: ContinuousClock.Instant) {
        var responses: [ReconfigChunk.Parameter] = []
        for parameter in chunk.parameters {
            switch parameter {
            case .outgoingReset(let sequence, _, let lastTSN, let streams):
                responses.append(.response(responseSequence: sequence, result: handlePeerReset(sequence, lastTSN: lastTSN, streams: streams)))
            case .incomingReset(let sequence, _):
                responses.append(.response(responseSequence: sequence, result: acceptRequestSequence(sequence, result: .denied)))
            case .response(let sequence, let result):
                handleResetResponse(sequence, result: result, now: now)
            case .other(let raw):
                // SSN/TSN reset and add-streams requests (types 15, 17, 18): WebRTC does not use them.
                if [15, 17, 18].contains(raw.type), raw.value.count >= 4 {
                    let sequence = UInt32(raw.value[0]) << 24 | UInt32(raw.value[1]) << 16 | UInt32(raw.value[2]) << 8 | UInt32(raw.value[3])
                    responses.append(.response(responseSequence: sequence, result: acceptRequestSequence(sequence, result: .denied)))
                }
            }
        }
        if !responses.isEmpty { control.append(.reconfig(ReconfigChunk(parameters: responses))) }
    }

    /// Sequence-number bookkeeping of requests from the peer (RFC 6525 §5.2.1).
    mutating func acceptRequestSequence(_ sequence: UInt32, result: ReconfigResult) -> ReconfigResult {
        if sequence == peerRequestSequence {
            peerRequestSequence &+= 1
            lastResponse = (sequence, result)
            return result
        }
        if sequence == peerRequestSequence &- 1, let last = lastResponse, last.sequence == sequence { return last.result }
        return .errorBadSequenceNumber
    }

    /// The peer reset its outgoing streams, i.e. our incoming ones (RFC 6525 §5.2.2).
    mutating func handlePeerReset(_ sequence: UInt32, lastTSN: UInt32, streams: [UInt16]) -> ReconfigResult {
        guard sequence == peerRequestSequence else { return acceptRequestSequence(sequence, result: .denied) }
        // Data up to the peer's last TSN must have arrived first; the peer asks again later.
        guard tsnLessOrEqual(lastTSN, cumulativeTSN) else {
            // Our SACK shows the peer where we stand, which also prompts a FORWARD TSN it may have
            // lost (aiortc resends one only on SACK receipt or while its T3 runs).
            sackNow = true
            return .inProgress
        }
        for stream in streams {
            if let old = inbound.removeValue(forKey: stream) {
                bufferedReceiveBytes -= old.ready.values.reduce(0) { $0 + $1.size }
                bufferedReceiveBytes -= old.fragments.values.reduce(0) { $0 + $1.userData.count }
            }
            guard var channel = channels[stream] else { continue }
            channel.incomingReset = true
            if !channel.closing {
                // The peer closed the channel: reset our side too (RFC 8831 §6.7).
                channel.closing = true
                if !resetQueue.contains(stream) { resetQueue.append(stream) }
            }
            channels[stream] = channel
            finishCloseIfDone(stream)
        }
        return acceptRequestSequence(sequence, result: .successPerformed)
    }

    mutating func handleResetResponse(_ sequence: UInt32, result: ReconfigResult, now: ContinuousClock.Instant) {
        guard let outstanding = outstandingReset, outstanding.sequence == sequence else { return }
        if result == .inProgress {
            errorCount = 0  // the peer is alive, just waiting for data to arrive
            reconfigDeadline = now + rto
            return
        }
        outstandingReset = nil
        reconfigDeadline = nil
        myRequestSequence &+= 1
        errorCount = 0
        if result != .successPerformed && result != .successNothingToDo {
            emit(.error("SCTP: peer refused to reset streams \(outstanding.streams) (result \(result.rawValue))"))
        }
        for stream in outstanding.streams {
            outboundSSN[stream] = nil
            guard channels[stream] != nil else { continue }
            channels[stream]!.outgoingReset = true
            finishCloseIfDone(stream)
        }
    }

    /// A channel is closed, and its id free, once both directions of its stream are reset.
    mutating func finishCloseIfDone(_ stream: UInt16) {
        guard let channel = channels[stream], channel.outgoingReset, channel.incomingReset else { return }
        channels[stream] = nil
        emit(.channelClosed(stream))
    }
}
