import COpenSSL
import CShims
import OpenSSLCrypto

extension DTLSTransport {
    /// Cipher suites for DTLS 1.2 with ECDHE; ECDSA first since WebRTC certificates are P-256.
    static let cipherList = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
        + "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"
        + "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA"

    /// Builds the `SSL_CTX` for one transport: DTLS 1.2 minimum, our certificate, `use_srtp` with
    /// `profiles` in preference order, and peer verification by fingerprint instead of by chain.
    static func makeContext(
        certificate: DTLSCertificate, profiles: [SRTPProfile], callbacks: DTLSCallbackContext
    ) throws(RTCError) -> OpaquePointer {
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(DTLS_method()) else {
            throw RTCError(.crypto, "SSL_CTX_new(DTLS_method): \(OpenSSLErrorQueue.drain())")
        }
        let srtpNames = profiles.map(\.openSSLName).joined(separator: ":")
        let configured =
            SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(DTLS1_2_VERSION), nil) == 1
            && SSL_CTX_set_cipher_list(context, cipherList) == 1
            && "P-256:X25519".withCString {
                SSL_CTX_ctrl(context, SSL_CTRL_SET_GROUPS_LIST, 0, UnsafeMutableRawPointer(mutating: $0)) == 1
            }
            && SSL_CTX_use_certificate(context, certificate.certificate) == 1
            && SSL_CTX_use_PrivateKey(context, certificate.privateKey) == 1
            && SSL_CTX_check_private_key(context) == 1
            // Unlike most OpenSSL calls, this one returns 0 on success.
            && SSL_CTX_set_tlsext_use_srtp(context, srtpNames) == 0
        guard configured, !profiles.isEmpty else {
            let reason = OpenSSLErrorQueue.drain()
            SSL_CTX_free(context)
            throw RTCError(.crypto, "configuring the DTLS context failed: \(reason)")
        }
        _ = SSL_CTX_set_options(
            context, steadfast_SSL_OP_NO_QUERY_MTU | steadfast_SSL_OP_NO_RENEGOTIATION | steadfast_SSL_OP_NO_TICKET)
        _ = steadfast_SSL_CTX_set_read_ahead(context, 1)
        _ = SSL_CTX_ctrl(context, SSL_CTRL_SET_SESS_CACHE_MODE, Int(SSL_SESS_CACHE_OFF), nil)
        // VERIFY_PEER makes the server ask for the client's certificate; the callback below replaces
        // chain building entirely, because WebRTC certificates are self-signed (RFC 8827 §6.5).
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        SSL_CTX_set_cert_verify_callback(context, verifyPeerCertificate, callbacks.opaquePointer)
        return context
    }
}

/// Accepts the peer's leaf certificate exactly when it hashes to the SDP fingerprint (RFC 8122 §5).
private func verifyPeerCertificate(_ store: OpaquePointer?, _ argument: UnsafeMutableRawPointer?) -> Int32 {
    guard let store, let argument else { return 0 }
    let callbacks = Unmanaged<DTLSCallbackContext>.fromOpaque(argument).takeUnretainedValue()
    let expected = callbacks.expectedFingerprint
    guard let leaf = X509_STORE_CTX_get0_cert(store),
        let actual = try? DTLSFingerprint(hashing: leaf, algorithm: expected.algorithm), actual == expected
    else {
        callbacks.fingerprintMatched = false
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED)
        return 0
    }
    callbacks.fingerprintMatched = true
    return 1
}

/// OpenSSL's retransmission timer: `initial` for a new flight, then doubling up to 60 s (RFC 6347 §4.2.4.1).
func dtlsRetransmitInterval(_ ssl: OpaquePointer?, _ previousMicroseconds: UInt32) -> UInt32 {
    guard previousMicroseconds > 0 else {
        return DTLSCallbackContext.from(bio: SSL_get_rbio(ssl))?.initialRetransmitMicroseconds ?? 1_000_000
    }
    return min(previousMicroseconds &* 2, 60_000_000)
}
