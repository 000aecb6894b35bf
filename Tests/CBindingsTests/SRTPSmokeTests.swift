import CSRTP
import Testing

/// srtp_init, then one RTP packet protected by a sender session and recovered by a receiver.
@Test func srtpProtectsAndUnprotectsOnePacket() throws {
    // libsrtp 2.5 initializes once per process; a second call (RTC's SRTPSession may have run first
    // in this test process) answers bad_param, which still means "ready".
    let status = srtp_init()
    #expect(status == srtp_err_status_ok || status == srtp_err_status_bad_param)
    var key = [UInt8](0..<30)  // 16-byte AES key + 14-byte salt

    func makeSession(_ direction: srtp_ssrc_type_t) throws -> srtp_t {
        var policy = srtp_policy_t()
        srtp_crypto_policy_set_rtp_default(&policy.rtp)  // = AES_CM_128_HMAC_SHA1_80
        srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        policy.ssrc.type = direction
        var session: srtp_t?
        let status = key.withUnsafeMutableBufferPointer { keyBuffer in
            policy.key = keyBuffer.baseAddress
            return srtp_create(&session, &policy)
        }
        #expect(status == srtp_err_status_ok)
        return try #require(session)
    }
    let sender = try makeSession(ssrc_any_outbound)
    let receiver = try makeSession(ssrc_any_inbound)
    defer { srtp_dealloc(sender); srtp_dealloc(receiver) }

    // V=2, PT=111, seq=1, ts=960, ssrc=0x01020304, then 20 payload bytes.
    let plain: [UInt8] = [0x80, 111, 0, 1, 0, 0, 0x03, 0xC0, 1, 2, 3, 4] + [UInt8](repeating: 0xAB, count: 20)
    var buffer = plain + [UInt8](repeating: 0, count: Int(SRTP_MAX_TRAILER_LEN))
    var length = Int32(plain.count)
    #expect(srtp_protect(sender, &buffer, &length) == srtp_err_status_ok)
    #expect(length == Int32(plain.count + 10), "HMAC-SHA1-80 adds a 10-byte tag")
    #expect(Array(buffer[12..<32]) != Array(plain[12...]), "payload is encrypted")

    #expect(srtp_unprotect(receiver, &buffer, &length) == srtp_err_status_ok)
    #expect(Array(buffer[0..<Int(length)]) == plain)
    // Delivering the same protected packet twice: the second copy is refused as a replay.
    var second = plain
    second[3] = 2  // seq 2
    var secondBuffer = second + [UInt8](repeating: 0, count: Int(SRTP_MAX_TRAILER_LEN))
    var secondLength = Int32(second.count)
    #expect(srtp_protect(sender, &secondBuffer, &secondLength) == srtp_err_status_ok)
    var copy = secondBuffer, copyLength = secondLength
    #expect(srtp_unprotect(receiver, &secondBuffer, &secondLength) == srtp_err_status_ok)
    #expect(srtp_unprotect(receiver, &copy, &copyLength) == srtp_err_status_replay_fail)
}
