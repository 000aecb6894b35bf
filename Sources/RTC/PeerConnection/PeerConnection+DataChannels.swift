import SCTP

/// The SCTP value types, so `import RTC` is enough to use data channels.
public typealias DataChannelMessage = SCTP.DataChannelMessage
public typealias DataChannelOptions = SCTP.DataChannelOptions

/// Data channels on the connection (RFC 8831): one SCTP association inside DTLS (RFC 8261), started
/// once DTLS is up and an `m=application` was negotiated (RFC 8841). Each channel has a handle of
/// ours (`DataChannelID`) from `createDataChannel`, because its SCTP stream id is known only once
/// the DTLS role is (RFC 8832 §6: the DTLS client takes even ids, the server odd ones).
extension PeerConnection {
    /// A channel's handle for the connection's life (W3C `RTCDataChannel`).
    public struct DataChannelID: Hashable, Sendable, Comparable, CustomStringConvertible {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
        public var description: String { "dc\(rawValue)" }
    }

    /// W3C `RTCDataChannelState`.
    public enum DataChannelState: String, Sendable, Hashable { case connecting, open, closing, closed }

    /// A snapshot of one channel.
    public struct DataChannel: Sendable, Hashable {
        public var id: DataChannelID
        /// Label, protocol, ordering and reliability, and `negotiatedID` for a pre-negotiated channel.
        public var options: DataChannelOptions
        /// The SCTP stream id, once the association assigned one.
        public var streamID: UInt16?
        /// The peer opened it (DCEP OPEN received).
        public var remote: Bool
        public var state: DataChannelState
        /// Bytes accepted by `sendData` and not yet acknowledged or abandoned.
        public var bufferedAmount: Int
        public var bufferedAmountLowThreshold: Int
        public var label: String { options.label }
    }

    /// Creates a channel. Before the first offer it makes `createOffer` add an `m=application`
    /// section; once SCTP is up it opens at once (DCEP, or by id with `negotiatedID`). Without a
    /// negotiated data section, call `createOffer` again (renegotiation): it opens when that
    /// exchange completes. `.dataChannelOpened` says when it can send.
    public func createDataChannel(_ options: DataChannelOptions, now: ContinuousClock.Instant) throws(RTCError) -> DataChannelID {
        guard state != .closed, state != .failed else { throw RTCError(.invalidState, "the connection is \(state)") }
        guard options.label.utf8.count <= 1024, options.protocol.utf8.count <= 1024 else {
            throw RTCError(.unsupported, "a data channel label or protocol is limited to 1,024 bytes")
        }
        if let id = options.negotiatedID, id == 65535 { throw RTCError(.unsupported, "stream id 65535 is reserved") }
        if let id = options.negotiatedID, data.channels.values.contains(where: { $0.streamID == id || $0.options.negotiatedID == id }) {
            throw RTCError(.invalidState, "stream id \(id) is already in use")
        }
        let handle = DataChannelID(rawValue: data.nextHandle)
        data.nextHandle += 1
        data.channels[handle] = DataChannel(id: handle, options: options, streamID: nil, remote: false, state: .connecting,
                                            bufferedAmount: 0, bufferedAmountLowThreshold: 0)
        jsep.wantsDataChannel = true
        if data.sctp != nil { openOnAssociation(handle, now: now) }
        return handle
    }

    /// Queues one message on an open channel.
    /// - Throws: `.invalidState` unless the channel is open; `.unsupported` above the peer's
    ///   `a=max-message-size`.
    public func sendData(_ message: DataChannelMessage, on handle: DataChannelID, now: ContinuousClock.Instant) throws(RTCError) {
        guard let channel = data.channels[handle], channel.state == .open, let stream = channel.streamID, data.sctp != nil else {
            throw RTCError(.invalidState, "data channel \(handle) is not open")
        }
        let size = message.byteCount
        guard size <= data.maxSendMessageSize else {
            throw RTCError(.unsupported, "a \(size)-byte message exceeds the peer's limit of \(data.maxSendMessageSize) bytes")
        }
        data.sctp!.handle(.send(channelID: stream, message), now: now)
        data.needsDrain = true
        statistics.dataMessagesSent += 1
        statistics.dataBytesSent += size
    }

    /// Closes a channel by resetting its SCTP stream (RFC 8831 §6.7); `.dataChannelClosed` follows
    /// once both directions are reset. A channel not yet on the association closes at once.
    public func closeDataChannel(_ handle: DataChannelID, now: ContinuousClock.Instant) {
        guard let channel = data.channels[handle], channel.state != .closing, channel.state != .closed else { return }
        guard let stream = channel.streamID, data.sctp != nil else {
            finishChannel(handle)
            return
        }
        data.channels[handle]?.state = .closing
        data.sctp!.handle(.closeChannel(stream), now: now)
        data.needsDrain = true
    }

    /// W3C `bufferedAmountLowThreshold`: `.dataChannelBufferedAmountLow` fires when the buffered
    /// amount falls to it.
    public func setBufferedAmountLowThreshold(_ bytes: Int, on handle: DataChannelID, now: ContinuousClock.Instant) {
        guard data.channels[handle] != nil else { return }
        data.channels[handle]?.bufferedAmountLowThreshold = max(0, bytes)
        if let stream = data.channels[handle]?.streamID, data.sctp != nil {
            data.sctp!.handle(.setBufferedAmountLowThreshold(channelID: stream, bytes: max(0, bytes)), now: now)
            data.needsDrain = true
        }
    }

    public func dataChannel(_ handle: DataChannelID) -> DataChannel? {
        guard var channel = data.channels[handle] else { return nil }
        if let stream = channel.streamID, let sctp = data.sctp { channel.bufferedAmount = sctp.bufferedAmount(channelID: stream) }
        return channel
    }

    /// The channels that are connecting, open or closing, in creation order.
    public var dataChannels: [DataChannel] { data.channels.keys.sorted().compactMap { dataChannel($0) } }

    /// The SCTP association's counters (nil until it exists).
    public var sctpStatistics: SCTPStats? { data.sctp?.stats }

    // MARK: Wiring (called by PeerConnection)

    /// Applies what the latest exchange decided for the data section.
    func configureData(_ media: NegotiatedMedia?, now: ContinuousClock.Instant) {
        guard let media else {
            if data.negotiated, data.sctp != nil { endData(reason: "the data section was removed") }
            data.negotiated = false
            return
        }
        data.negotiated = true
        data.remotePort = media.remoteSCTPPort ?? 5000
        let limit = media.remoteMaxMessageSize ?? 65_536
        // 0 means "any size" (RFC 8841 §6); we still keep one bound, what we accept ourselves.
        data.maxSendMessageSize = limit == 0 ? configuration.maxMessageSize : limit
        startSCTPIfReady(now: now)
    }

    /// Starts the association once both DTLS is up and data was negotiated; both sides connect
    /// (simultaneous open, RFC 8841 §9.3), with stream-id parity from the DTLS role.
    func startSCTPIfReady(now: ContinuousClock.Instant) {
        guard data.sctp == nil, !data.ended, data.negotiated, dtls?.state == .connected, let dtlsRole else { return }
        var sctpConfiguration = SCTPAssociation.Configuration(isDTLSClient: dtlsRole == .client, seed: UInt64.random(in: 0...UInt64.max))
        sctpConfiguration.remotePort = data.remotePort
        sctpConfiguration.maxSendMessageSize = max(data.maxSendMessageSize, 1)
        sctpConfiguration.receiveWindow = max(2 * 1024 * 1024, 2 * configuration.maxMessageSize)
        var sctp = SCTPAssociation(sctpConfiguration)
        sctp.handle(.connect, now: now)
        data.sctp = sctp
        data.needsDrain = true
        for handle in data.channels.keys.sorted() where data.channels[handle]?.streamID == nil {
            openOnAssociation(handle, now: now)
        }
    }

    private func openOnAssociation(_ handle: DataChannelID, now: ContinuousClock.Instant) {
        guard let options = data.channels[handle]?.options, data.sctp != nil else { return }
        guard let stream = data.sctp!.open(options, now: now) else {
            data.needsDrain = true  // the association reports why as an `.error` event
            finishChannel(handle)
            return
        }
        data.channels[handle]?.streamID = stream
        data.streams[stream] = handle
        if let threshold = data.channels[handle]?.bufferedAmountLowThreshold, threshold > 0 {
            data.sctp!.handle(.setBufferedAmountLowThreshold(channelID: stream, bytes: threshold), now: now)
        }
        data.needsDrain = true
    }

    /// One DTLS application-data record: an SCTP packet (RFC 8261 §5).
    func receiveSCTP(_ packet: [UInt8], now: ContinuousClock.Instant) {
        guard data.sctp != nil else { statistics.droppedDatagrams += 1; return }
        data.sctp!.handle(.packet(packet), now: now)
        data.needsDrain = true
    }

    /// Moves the association's packets into DTLS and its events into ours (from `pollOutput`).
    func drainSCTP() {
        data.needsDrain = false
        guard data.sctp != nil else { return }
        var wrote = false
        while let output = data.sctp?.pollOutput() {
            switch output {
            case .transmit(let packet):
                guard let dtls, dtls.state == .connected else { continue }
                do { try dtls.send(packet); wrote = true } catch { statistics.droppedDatagrams += 1 }
            case .event(let event):
                handleSCTP(event)
            }
        }
        if wrote, let now = data.sctp?.lastInputInstant { drainDTLS(now: now) }
    }

    private func handleSCTP(_ event: SCTPAssociation.Event) {
        switch event {
        case .established:
            break
        case .channelOpen(let info):
            if let handle = data.streams[info.id] {
                data.channels[handle]?.state = .open
                statistics.dataChannelsOpened += 1
                if let channel = dataChannel(handle) { outputs.append(.event(.dataChannelOpened(channel))) }
            } else {
                let handle = DataChannelID(rawValue: data.nextHandle)
                data.nextHandle += 1
                let channel = DataChannel(id: handle, options: info.options, streamID: info.id, remote: info.remote,
                                          state: .open, bufferedAmount: 0, bufferedAmountLowThreshold: 0)
                data.channels[handle] = channel
                data.streams[info.id] = handle
                statistics.dataChannelsOpened += 1
                outputs.append(.event(.dataChannelOpened(channel)))
            }
        case .message(let stream, let message):
            guard let handle = data.streams[stream] else { return }
            statistics.dataMessagesReceived += 1
            statistics.dataBytesReceived += message.byteCount
            outputs.append(.event(.dataChannelMessage(handle, message)))
        case .channelClosed(let stream):
            guard let handle = data.streams[stream] else { return }
            finishChannel(handle)
        case .bufferedAmountLow(let stream):
            guard let handle = data.streams[stream] else { return }
            outputs.append(.event(.dataChannelBufferedAmountLow(handle)))
        case .closed(let reason):
            endData(reason: reason)
        case .error(let line):
            outputs.append(.event(.dataChannelError(nil, line)))
        }
    }

    /// Forgets a closed channel and reports it.
    private func finishChannel(_ handle: DataChannelID) {
        guard let channel = data.channels.removeValue(forKey: handle) else { return }
        if let stream = channel.streamID, data.streams[stream] == handle { data.streams[stream] = nil }
        statistics.dataChannelsClosed += 1
        outputs.append(.event(.dataChannelClosed(handle)))
    }

    /// The association is gone (closed, failed, or the connection ended): every channel closes.
    func endData(reason: String?) {
        guard !data.channels.isEmpty || data.sctp != nil else { return }
        if let reason { outputs.append(.event(.dataChannelError(nil, reason))) }
        for handle in data.channels.keys.sorted() { finishChannel(handle) }
        data.sctp = nil
        data.ended = data.negotiated
        data.needsDrain = false
    }
}

/// The connection's data-channel state, one stored property of `PeerConnection`.
struct DataChannelSet {
    var sctp: SCTPAssociation?
    var channels: [PeerConnection.DataChannelID: PeerConnection.DataChannel] = [:]
    var streams: [UInt16: PeerConnection.DataChannelID] = [:]
    var nextHandle = 0
    /// The latest exchange accepted a data section.
    var negotiated = false
    /// The association ended; WebRTC never starts a second one on the same DTLS connection.
    var ended = false
    var remotePort: UInt16 = 5000
    var maxSendMessageSize = 65_536
    /// The association took input since its outputs were last drained.
    var needsDrain = false
}
