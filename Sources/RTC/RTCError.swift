/// The one error type of the `RTC` module: every protocol machine reports failures with it.
///
/// Malformed input from a peer is never fatal to the process: parsers return this error and the
/// caller drops the packet (and counts it).
public struct RTCError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// A packet or message is truncated or violates its wire format (STUN, RTP, RTCP, DTLS record).
        case malformedPacket
        /// An SDP document or attribute cannot be parsed or is inconsistent.
        case malformedSDP
        /// MESSAGE-INTEGRITY, FINGERPRINT or an SRTP auth tag did not verify.
        case integrityCheckFailed
        /// The peer's DTLS certificate does not match the SDP fingerprint.
        case fingerprintMismatch
        /// Valid but not supported here (an unknown codec, an unsupported SRTP profile, data channels).
        case unsupported
        /// DTLS handshake failure, or an OpenSSL/libsrtp error.
        case handshakeFailed
        /// A crypto library call failed.
        case crypto
        /// An operation timed out (DTLS handshake, ICE checks, consent).
        case timeout
        /// ICE role conflict that could not be resolved, or a 487 from the peer.
        case roleConflict
        /// The call does not fit the machine's current state (answer before offer, ...).
        case invalidState
        /// A replayed SRTP/SRTCP packet.
        case replay
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
