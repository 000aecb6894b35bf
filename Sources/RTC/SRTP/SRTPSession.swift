import CSRTP

/// SRTP and SRTCP protection for one DTLS-SRTP association, over libsrtp2 (RFC 3711, RFC 7714).
///
/// Holds one outbound context (any SSRC we send) and one inbound context (any SSRC the peer sends),
/// keyed from the DTLS export for our role. Replays and authentication failures are the peer's (or an
/// attacker's) doing: they throw so the caller drops the packet, are counted in `statistics`, and never
/// disturb the session. Single owner: keep it with the media task that drives it.
///
/// The `inout` variants work in place: give the array `SRTPSession.maximumTrailerLength` spare
/// capacity and protecting a packet allocates nothing.
public final class SRTPSession {
    /// Counters for diagnostics and metrics.
    public struct Statistics: Sendable, Hashable {
        public internal(set) var rtpProtected = 0
        public internal(set) var rtpUnprotected = 0
        public internal(set) var rtcpProtected = 0
        public internal(set) var rtcpUnprotected = 0
        /// Packets refused as replays (already seen, or older than the replay window).
        public internal(set) var replayDrops = 0
        /// Packets whose authentication tag (HMAC or GCM) did not verify.
        public internal(set) var authFailures = 0
        /// Packets too short or with a header that does not fit, refused before libsrtp saw them.
        public internal(set) var malformedPackets = 0
    }

    /// The most bytes protecting adds: a 16-byte tag plus SRTCP's 4-byte index (no MKI is used).
    public static let maximumTrailerLength = 20
    /// libsrtp takes lengths as `int`; nothing on UDP comes close to this.
    private static let maximumPacketLength = 65_535
    /// RFC 3711 §3.3.2 allows 64; a larger window tolerates the reordering real networks show.
    private static let replayWindow = 1024

    public let profile: SRTPProfile
    public let role: DTLSRole
    public private(set) var statistics = Statistics()
    private let outbound: OpaquePointer
    private let inbound: OpaquePointer

    /// - Parameters:
    ///   - keyingMaterial: from `DTLSTransport`'s `.connected` event.
    ///   - role: our DTLS role, which decides which half of the keys protects what we send.
    /// - Throws: `RTCError(.crypto)` when libsrtp cannot be initialised or rejects the policy.
    public init(keyingMaterial: SRTPKeyingMaterial, role: DTLSRole) throws(RTCError) {
        guard SRTPLibrary.initialize() else { throw RTCError(.crypto, "srtp_init failed") }
        let profile = keyingMaterial.profile
        let outbound = try Self.makeContext(
            profile: profile, keyAndSalt: keyingMaterial.sendingKeyAndSalt(for: role), direction: ssrc_any_outbound)
        let inbound: OpaquePointer
        do {
            inbound = try Self.makeContext(
                profile: profile, keyAndSalt: keyingMaterial.receivingKeyAndSalt(for: role),
                direction: ssrc_any_inbound)
        } catch {
            srtp_dealloc(outbound)
            throw error
        }
        self.profile = profile
        self.role = role
        self.outbound = outbound
        self.inbound = inbound
    }

    deinit {
        srtp_dealloc(outbound)
        srtp_dealloc(inbound)
    }

    private static func makeContext(profile: SRTPProfile, keyAndSalt: [UInt8], direction: srtp_ssrc_type_t)
        throws(RTCError) -> OpaquePointer
    {
        var policy = srtp_policy_t()
        guard srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, profile.libsrtpProfile) == srtp_err_status_ok,
            srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, profile.libsrtpProfile) == srtp_err_status_ok
        else {
            throw RTCError(.unsupported, "libsrtp does not support \(profile)")
        }
        policy.ssrc.type = direction
        policy.window_size = UInt(replayWindow)
        // Lets a sender retransmit an identical packet (e.g. RTX-less NACK answers) without an error.
        policy.allow_repeat_tx = 1
        var key = keyAndSalt
        var session: srtp_t?
        let status = key.withUnsafeMutableBufferPointer { buffer in
            policy.key = buffer.baseAddress
            return srtp_create(&session, &policy)  // copies the key; the buffer may go afterwards
        }
        for index in key.indices { key[index] = 0 }
        guard status == srtp_err_status_ok, let session else {
            throw RTCError(.crypto, "srtp_create failed with status \(status.rawValue)")
        }
        return session
    }

    // MARK: - RTP

    /// Returns the SRTP packet for an RTP packet.
    /// - Throws: `.malformedPacket` for a packet that is not RTP; `.crypto` if libsrtp fails.
    public func protectRTP(_ packet: [UInt8]) throws(RTCError) -> [UInt8] {
        var buffer = packet
        buffer.reserveCapacity(packet.count + Self.maximumTrailerLength)
        try protectRTP(&buffer)
        return buffer
    }

    /// Protects `packet` in place, appending the tag.
    public func protectRTP(_ packet: inout [UInt8]) throws(RTCError) {
        try checkRTPHeader(packet, trailer: 0)
        try transform(&packet, context: outbound, trailer: profile.rtpTrailerLength, operation: srtp_protect)
        statistics.rtpProtected += 1
    }

    /// Returns the RTP packet inside an SRTP packet.
    /// - Throws: `.replay` (counted in `replayDrops`), `.integrityCheckFailed` (counted in
    ///   `authFailures`), `.malformedPacket`, or `.crypto`. Drop the packet on any of them.
    public func unprotectRTP(_ packet: [UInt8]) throws(RTCError) -> [UInt8] {
        var buffer = packet
        try unprotectRTP(&buffer)
        return buffer
    }

    /// Verifies and decrypts `packet` in place, removing the tag. On error its content is unspecified.
    public func unprotectRTP(_ packet: inout [UInt8]) throws(RTCError) {
        try checkRTPHeader(packet, trailer: profile.rtpTrailerLength)
        try transform(&packet, context: inbound, trailer: 0, operation: srtp_unprotect)
        statistics.rtpUnprotected += 1
    }

    // MARK: - RTCP

    /// Returns the SRTCP packet for a (compound) RTCP packet.
    public func protectRTCP(_ packet: [UInt8]) throws(RTCError) -> [UInt8] {
        var buffer = packet
        buffer.reserveCapacity(packet.count + Self.maximumTrailerLength)
        try protectRTCP(&buffer)
        return buffer
    }

    /// Protects `packet` in place, appending the SRTCP index and tag.
    public func protectRTCP(_ packet: inout [UInt8]) throws(RTCError) {
        try checkRTCPHeader(packet, trailer: 0)
        try transform(&packet, context: outbound, trailer: profile.rtcpTrailerLength, operation: srtp_protect_rtcp)
        statistics.rtcpProtected += 1
    }

    /// Returns the RTCP packet inside an SRTCP packet; errors as for `unprotectRTP`.
    public func unprotectRTCP(_ packet: [UInt8]) throws(RTCError) -> [UInt8] {
        var buffer = packet
        try unprotectRTCP(&buffer)
        return buffer
    }

    /// Verifies and decrypts `packet` in place. On error its content is unspecified.
    public func unprotectRTCP(_ packet: inout [UInt8]) throws(RTCError) {
        try checkRTCPHeader(packet, trailer: profile.rtcpTrailerLength)
        try transform(&packet, context: inbound, trailer: 0, operation: srtp_unprotect_rtcp)
        statistics.rtcpUnprotected += 1
    }

    // MARK: - Shared

    /// RTP version 2 and a header (CSRCs, extension) that fits before the trailer (RFC 3550 §5.1).
    private func checkRTPHeader(_ packet: [UInt8], trailer: Int) throws(RTCError) {
        var headerLength = 12
        if packet.count >= 12, packet[0] >> 6 == 2 {
            headerLength += Int(packet[0] & 0x0F) * 4
            if packet[0] & 0x10 != 0, packet.count >= headerLength + 4 {
                headerLength += 4 + (Int(packet[headerLength + 2]) << 8 | Int(packet[headerLength + 3])) * 4
            } else if packet[0] & 0x10 != 0 {
                headerLength = Int.max
            }
        } else {
            headerLength = Int.max
        }
        guard headerLength != Int.max, packet.count >= headerLength + trailer,
            packet.count <= Self.maximumPacketLength
        else {
            statistics.malformedPackets += 1
            throw RTCError(.malformedPacket, "not an RTP packet of \(packet.count) bytes")
        }
    }

    /// RTCP version 2 with a full 8-byte header, plus the trailer on the protected side (RFC 3550 §6.4).
    private func checkRTCPHeader(_ packet: [UInt8], trailer: Int) throws(RTCError) {
        guard packet.count >= 8 + trailer, packet[0] >> 6 == 2, packet.count <= Self.maximumPacketLength else {
            statistics.malformedPackets += 1
            throw RTCError(.malformedPacket, "not an RTCP packet of \(packet.count) bytes")
        }
    }

    private func transform(
        _ packet: inout [UInt8], context: OpaquePointer, trailer: Int,
        operation: (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t
    ) throws(RTCError) {
        let originalCount = packet.count
        // Room for libsrtp to write the tag; free when the caller reserved capacity.
        if trailer > 0 { packet.append(contentsOf: repeatElement(0, count: trailer)) }
        var length = Int32(originalCount)
        let status = packet.withUnsafeMutableBytes { operation(context, $0.baseAddress, &length) }
        guard status == srtp_err_status_ok, length >= 0, Int(length) <= packet.count else {
            if trailer > 0 { packet.removeLast(trailer) }
            throw classify(status)
        }
        packet.removeLast(packet.count - Int(length))
    }

    private func classify(_ status: srtp_err_status_t) -> RTCError {
        switch status {
        case srtp_err_status_replay_fail, srtp_err_status_replay_old:
            statistics.replayDrops += 1
            return RTCError(.replay, "SRTP replay refused")
        case srtp_err_status_auth_fail, srtp_err_status_cipher_fail:
            statistics.authFailures += 1
            return RTCError(.integrityCheckFailed, "SRTP authentication failed")
        default:
            return RTCError(.crypto, "libsrtp failed with status \(status.rawValue)")
        }
    }
}

@available(*, unavailable)
extension SRTPSession: Sendable {}
