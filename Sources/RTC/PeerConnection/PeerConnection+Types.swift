extension PeerConnection {
    /// Settings fixed for the connection's life.
    public struct Configuration: Sendable {
        public var ice = ICEConfiguration()
        /// Offered in DTLS `use_srtp`, most preferred first.
        public var srtpProfiles: [SRTPProfile] = SRTPProfile.defaultOffer
        public var jitter = JitterBuffer.Configuration()
        /// First DTLS retransmission interval (RFC 6347 says 1 s; LiveKit's SFU uses 100 ms). OpenSSL
        /// times it on the wall clock, whatever clock drives the connection.
        public var dtlsRetransmitTimeout: Duration = .milliseconds(200)
        /// RTCP CNAME of our send stream.
        public var cname = "steadfast-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        /// Our `a=max-message-size`: the largest data-channel message we accept (RFC 8841 §6).
        public var maxMessageSize = 1_048_576
        public init() {}
    }

    /// The connection as a user sees it (the W3C RTCPeerConnectionState, minus the parts audio-only never needs).
    public enum SDPType: String, Sendable { case offer, answer }

    public enum State: String, Sendable, Hashable {
        case new, connecting, connected, disconnected, failed, closed
    }

    public enum Input: Sendable {
        /// A UDP datagram that arrived on the socket bound to `to`.
        case datagram([UInt8], from: TransportAddress, to: TransportAddress)
        /// `nextDeadline` has passed.
        case timeout
    }

    /// A remote audio track announced in SDP (or first seen in RTP for a single receiving m-line).
    public struct RemoteTrack: Sendable, Hashable {
        public var mid: String
        public var ssrc: UInt32?
        public var streamID: String?
        public var trackID: String?
    }

    public enum Event: Sendable {
        case stateChanged(State)
        /// ICE gathered a server-reflexive candidate to trickle to the peer.
        case localCandidate(ICECandidate)
        case trackAdded(RemoteTrack)
        case trackRemoved(mid: String)
        /// One 20 ms playout slot of a remote track: an Opus frame, or a gap to conceal (with the
        /// next packet when it is already here, for in-band FEC).
        case audio(mid: String, JitterBuffer.Output)
        /// Why the connection failed; always followed by `.stateChanged(.failed)`.
        case failure(RTCError)
        /// A channel can send: ours once the peer acked it (or at once when pre-negotiated), or one
        /// the peer opened (`remote`).
        case dataChannelOpened(DataChannel)
        case dataChannelMessage(DataChannelID, DataChannelMessage)
        /// The channel's buffered amount fell to its low-water threshold: send more.
        case dataChannelBufferedAmountLow(DataChannelID)
        /// Both directions are reset (or the association ended); the handle is done.
        case dataChannelClosed(DataChannelID)
        /// Bad input or a refused operation on the data plane, one line; the connection goes on.
        case dataChannelError(DataChannelID?, String)
    }

    public enum Output: Sendable {
        case transmit([UInt8], from: TransportAddress, to: TransportAddress)
        case event(Event)
    }

    /// Counters for the stats line and the status endpoint.
    public struct Statistics: Sendable, Hashable {
        public var packetsSent = 0
        public var packetsReceived = 0
        public var bytesSent = 0
        public var bytesReceived = 0
        /// From RTCP receiver statistics of every remote source (RFC 3550 cumulative lost).
        public var packetsLost = 0
        public var rtcpSent = 0
        public var rtcpReceived = 0
        /// Datagrams that failed to parse, authenticate or demultiplex (dropped, never fatal).
        public var droppedDatagrams = 0
        public var srtpProfile: SRTPProfile?
        public var dataChannelsOpened = 0
        public var dataChannelsClosed = 0
        public var dataMessagesSent = 0
        public var dataMessagesReceived = 0
        /// Message payload bytes (not SCTP/DTLS overhead).
        public var dataBytesSent = 0
        public var dataBytesReceived = 0
        public var connectedAfter: Duration?
    }
}

/// One accepted audio m-line, as the connection uses it.
struct NegotiatedAudio: Sendable {
    var mid: String
    var payloadType: UInt8
    var extensionMap: RTPHeaderExtensionMap
    /// We send our track on this line.
    var weSend: Bool
    /// The peer sends on this line (a remote track).
    var remoteSends: Bool
    var remoteSSRC: UInt32?
    var remoteStreamID: String?
    var remoteTrackID: String?
}
