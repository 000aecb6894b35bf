/// What a datagram on the single WebRTC 5-tuple carries, decided from its first bytes.
///
/// With BUNDLE and rtcp-mux, STUN, DTLS, SRTP and SRTCP share one port; RFC 7983 §7 splits them by
/// the first byte and RFC 5761 §4 splits RTP from RTCP by the second.
public enum MultiplexedPacketKind: Sendable, Equatable {
    case stun
    case dtls
    case rtp
    case rtcp
    /// Anything else (TURN channel data, ZRTP, garbage): drop it.
    case unknown

    /// Classifies from the first two bytes of a datagram (`secondByte` only matters for RTP/RTCP).
    public init(firstByte: UInt8, secondByte: UInt8?) {
        switch firstByte {
        case 0...3: self = .stun  // RFC 7983 §7
        case 20...63: self = .dtls
        case 128...191:
            guard let secondByte else {
                self = .unknown
                return
            }
            // RFC 5761 §4: RTCP packet types 192–223 appear as payload type 64–95 once the marker bit is masked.
            self = MultiplexedPacketKind.isRTCPPacketType(secondByte) ? .rtcp : .rtp
        default: self = .unknown
        }
    }

    /// Classifies a whole datagram; an empty one is `.unknown`.
    public init(classifying datagram: ArraySlice<UInt8>) {
        guard let first = datagram.first else {
            self = .unknown
            return
        }
        let second = datagram.count > 1 ? datagram[datagram.startIndex + 1] : nil
        self.init(firstByte: first, secondByte: second)
    }

    /// Classifies a datagram held in raw memory (the UDP receive buffer), without copying it.
    public init(classifying datagram: UnsafeRawBufferPointer) {
        guard datagram.count > 0 else {
            self = .unknown
            return
        }
        self.init(firstByte: datagram[0], secondByte: datagram.count > 1 ? datagram[1] : nil)
    }

    /// True when the second byte of an RTP/RTCP datagram is an RTCP packet type (192–223).
    public static func isRTCPPacketType(_ secondByte: UInt8) -> Bool {
        (64...95).contains(secondByte & 0x7F)
    }
}
