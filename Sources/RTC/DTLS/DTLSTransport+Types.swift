extension DTLSTransport {
    /// Where the transport is in its life; `closed` and `failed` are final.
    public enum State: Sendable, Hashable {
        case idle
        case handshaking
        case connected
        case closed
        case failed
    }

    /// What the driver feeds in, always together with the current time.
    public enum Input: Sendable, Hashable {
        /// One UDP payload the demultiplexer classified as DTLS (first byte 20–63, RFC 7983).
        case datagram([UInt8])
        /// The instant from the last `.timeout` output has passed.
        case timeout
    }

    /// What happened, for the layer above.
    public enum Event: Sendable, Equatable {
        /// Handshake done and the peer certificate matched the SDP fingerprint; key SRTP with this.
        case connected(SRTPKeyingMaterial)
        /// One decrypted DTLS application-data record (SCTP packets for data channels).
        case applicationData([UInt8])
        /// Either side sent close_notify (or `close(now:)` was called). Final.
        case closed
        /// The handshake or the connection failed (timeout, fingerprint mismatch, fatal alert). Final.
        case failed(RTCError)
    }

    /// One step for the driver: send a datagram, report an event, or wake up at an instant.
    public enum Output: Sendable, Equatable {
        /// Send these bytes as one UDP datagram; boundaries are OpenSSL's and must be kept.
        case transmit([UInt8])
        case event(Event)
        /// Feed `.timeout` at this instant (retransmission or handshake deadline). Stop polling here.
        case timeout(ContinuousClock.Instant)
    }

    /// Counters for diagnostics; garbage never stops the transport, it only shows up here.
    public struct Statistics: Sendable, Hashable {
        public internal(set) var datagramsReceived = 0
        public internal(set) var datagramsSent = 0
        /// Datagrams that were not DTLS records, arrived after the end, or were left unread.
        public internal(set) var datagramsDropped = 0
    }
}

@available(*, unavailable)
extension DTLSTransport: Sendable {}
