#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import CShims
import OpenSSLCrypto

/// DTLS 1.2 for WebRTC over OpenSSL, sans-IO: no sockets, threads or clocks inside.
///
/// The driver feeds datagrams and timer expiries with `handle(_:now:)`, then drains `pollOutput()`
/// until it returns `.timeout` or nil (str0m's rule). The handshake ends in `.connected` only after the
/// peer certificate matched the SDP fingerprint; the event carries the SRTP keys (RFC 5764 §4.2).
///
/// Retransmission timers are OpenSSL's and run on its own wall clock (OpenSSL 3.0 has no clock hook);
/// `.timeout` maps them onto the caller's clock. The overall handshake deadline is on the caller's clock.
///
/// ```swift
/// let transport = try DTLSTransport(role: .client, certificate: cert, remoteFingerprint: theirs)
/// transport.start(now: .now)
/// while let output = transport.pollOutput() { /* .transmit → socket, .event → upper layer, .timeout → timer */ }
/// ```
public final class DTLSTransport {
    public let role: DTLSRole
    public private(set) var state: State = .idle
    public private(set) var statistics = Statistics()
    /// Set once `.connected` was emitted.
    public private(set) var keyingMaterial: SRTPKeyingMaterial?

    private let context: OpaquePointer
    private let ssl: OpaquePointer
    private let bioMethod: OpaquePointer
    private let callbacks: DTLSCallbackContext
    private let handshakeTimeout: Duration
    private var handshakeDeadline: ContinuousClock.Instant?
    private var retransmitDeadline: ContinuousClock.Instant?
    private var outputs: [Output] = []
    private var outputHead = 0
    /// One record's worth of plaintext; reused so reading application data allocates only the result.
    private var readBuffer = [UInt8](repeating: 0, count: 16_384)

    /// Bytes an AES-GCM record adds beyond what OpenSSL 3.0 budgets for: explicit nonce plus tag.
    static let aeadRecordOverhead = 24

    /// The largest application-data payload `send(_:)` accepts (one DTLS record, RFC 6347 §4.1).
    public static let maximumApplicationDataLength = 16_384

    /// - Parameters:
    ///   - role: `.client` sends the ClientHello on `start(now:)`.
    ///   - certificate: our certificate; its fingerprint must be in our SDP.
    ///   - remoteFingerprint: the peer's `a=fingerprint`; its algorithm is the one we hash with.
    ///   - mtu: the largest datagram written, 280...65507 (handshake messages are fragmented to fit).
    ///   - handshakeTimeout: give up with `.failed(.timeout)` if not connected this long after start.
    ///   - srtpProfiles: offered in `use_srtp`, most preferred first; the server's order wins.
    ///   - initialRetransmitTimeout: the first retransmission interval (RFC 6347 suggests 1 s); at least 30 ms.
    /// - Throws: `RTCError(.crypto)` when OpenSSL cannot be set up, `.invalidState` for bad parameters.
    public init(
        role: DTLSRole, certificate: DTLSCertificate, remoteFingerprint: DTLSFingerprint, mtu: Int = 1200,
        handshakeTimeout: Duration = .seconds(30), srtpProfiles: [SRTPProfile] = SRTPProfile.defaultOffer,
        initialRetransmitTimeout: Duration = .seconds(1)
    ) throws(RTCError) {
        guard (280...65_507).contains(mtu), !srtpProfiles.isEmpty else {
            throw RTCError(.invalidState, "DTLS needs an MTU in 280...65507 and at least one SRTP profile")
        }
        // OpenSSL treats a timer with < 15 ms left as expired; a shorter interval would retransmit in a loop.
        let retransmitMicroseconds = max(30_000, min(60_000_000, Self.microseconds(initialRetransmitTimeout)))
        let callbacks = DTLSCallbackContext(
            initialRetransmitMicroseconds: UInt32(retransmitMicroseconds), expectedFingerprint: remoteFingerprint)
        let context = try Self.makeContext(certificate: certificate, profiles: srtpProfiles, callbacks: callbacks)
        guard let bioMethod = DatagramBIO.makeMethod() else {
            SSL_CTX_free(context)
            throw RTCError(.crypto, "BIO_meth_new failed")
        }
        guard let ssl = SSL_new(context) else {
            BIO_meth_free(bioMethod)
            SSL_CTX_free(context)
            throw RTCError(.crypto, "SSL_new failed: \(OpenSSLErrorQueue.drain())")
        }
        self.role = role
        self.context = context
        self.ssl = ssl
        self.bioMethod = bioMethod
        self.callbacks = callbacks
        self.handshakeTimeout = handshakeTimeout
        // From here on deinit frees everything, so failures can simply throw.
        guard let readBIO = BIO_new(bioMethod) else { throw RTCError(.crypto, "BIO_new failed") }
        guard let writeBIO = BIO_new(bioMethod) else {
            BIO_free(readBIO)
            throw RTCError(.crypto, "BIO_new failed")
        }
        BIO_set_data(readBIO, callbacks.opaquePointer)
        BIO_set_data(writeBIO, callbacks.opaquePointer)
        SSL_set_bio(ssl, readBIO, writeBIO)
        _ = SSL_set_options(ssl, steadfast_SSL_OP_NO_QUERY_MTU)
        // OpenSSL 3.0 leaves an AEAD record's explicit nonce and tag (8 + 16 bytes) out when it sizes
        // handshake fragments, so the encrypted Finished could overshoot; keep that much in reserve.
        let recordMTU = mtu - Self.aeadRecordOverhead
        guard steadfast_SSL_set_mtu(ssl, recordMTU) == recordMTU else {
            throw RTCError(.invalidState, "OpenSSL rejected MTU \(mtu)")
        }
        DTLS_set_timer_cb(ssl, dtlsRetransmitInterval)
        if role == .client { SSL_set_connect_state(ssl) } else { SSL_set_accept_state(ssl) }
    }

    deinit {
        SSL_free(ssl)  // also frees both BIOs
        SSL_CTX_free(context)
        BIO_meth_free(bioMethod)
    }

    // MARK: - Driving

    /// Starts the handshake clock; a client also sends its ClientHello. A server may skip this: its
    /// first datagram starts it.
    public func start(now: ContinuousClock.Instant) {
        guard state == .idle else { return }
        state = .handshaking
        handshakeDeadline = now + handshakeTimeout
        if role == .client { advanceHandshake() }
        refreshRetransmitDeadline(now: now)
    }

    /// Feeds one datagram or a timer expiry. Never throws: problems become events or statistics.
    public func handle(_ input: Input, now: ContinuousClock.Instant) {
        switch input {
        case .datagram(let datagram): receive(datagram, now: now)
        case .timeout: timerFired(now: now)
        }
    }

    /// The next thing to do. Drain until `.timeout` or nil; `.timeout` repeats until new input arrives.
    public func pollOutput() -> Output? {
        if outputHead < outputs.count {
            let output = outputs[outputHead]
            outputHead += 1
            if outputHead == outputs.count {
                outputs.removeAll(keepingCapacity: true)
                outputHead = 0
            }
            return output
        }
        guard state == .handshaking || state == .connected else { return nil }
        let handshakeLimit = state == .handshaking ? handshakeDeadline : nil
        return [retransmitDeadline, handshakeLimit].compactMap { $0 }.min().map(Output.timeout)
    }

    /// Encrypts `applicationData` into one DTLS record; it appears as one `.transmit`.
    /// - Throws: `.invalidState` before `.connected` or after the end; `.unsupported` for empty or
    ///   over-long data; `.handshakeFailed` if OpenSSL refuses the write.
    public func send(_ applicationData: [UInt8]) throws(RTCError) {
        guard state == .connected else { throw RTCError(.invalidState, "DTLS is \(state), not connected") }
        guard !applicationData.isEmpty, applicationData.count <= Self.maximumApplicationDataLength else {
            throw RTCError(.unsupported, "application data must be 1...16384 bytes, got \(applicationData.count)")
        }
        OpenSSLErrorQueue.clear()
        let written = applicationData.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        collectWritten()
        guard written == applicationData.count else {
            throw RTCError(.handshakeFailed, "SSL_write failed: \(OpenSSLErrorQueue.drain())")
        }
    }

    /// Sends close_notify (RFC 5246 §7.2.1) if a handshake ever started, and ends with `.closed`.
    public func close(now: ContinuousClock.Instant) {
        switch state {
        case .idle:
            finishClosed()
        case .handshaking, .connected:
            OpenSSLErrorQueue.clear()
            _ = SSL_shutdown(ssl)
            collectWritten()
            finishClosed()
        case .closed, .failed:
            return
        }
    }

    // MARK: - Input handling

    private func receive(_ datagram: [UInt8], now: ContinuousClock.Instant) {
        statistics.datagramsReceived += 1
        guard Self.isPlausibleRecord(datagram) else {
            statistics.datagramsDropped += 1
            return
        }
        if state == .idle { start(now: now) }
        guard state == .handshaking || state == .connected else {
            statistics.datagramsDropped += 1
            return
        }
        if failIfHandshakeExpired(now: now) { return }
        callbacks.enqueueInbound(datagram)
        if state == .handshaking { advanceHandshake() }
        if state == .connected { readApplicationData() }
        statistics.datagramsDropped += callbacks.discardUnreadInbound()
        refreshRetransmitDeadline(now: now)
    }

    private func timerFired(now: ContinuousClock.Instant) {
        guard state == .handshaking || state == .connected else { return }
        if failIfHandshakeExpired(now: now) { return }
        OpenSSLErrorQueue.clear()
        let result = steadfast_DTLSv1_handle_timeout(ssl)
        collectWritten()
        if result < 0 {
            fail(.timeout, "DTLS retransmissions exhausted: \(OpenSSLErrorQueue.drain())")
            return
        }
        refreshRetransmitDeadline(now: now)
    }

    /// A DTLS 1.x record header (RFC 6347 §4.1): content type 20–63, version 0xFExx, and a length
    /// that fits. Anything else is dropped before OpenSSL sees it.
    static func isPlausibleRecord(_ datagram: [UInt8]) -> Bool {
        guard datagram.count >= 13, (20...63).contains(datagram[0]), datagram[1] == 0xFE else { return false }
        let length = Int(datagram[11]) << 8 | Int(datagram[12])
        return 13 + length <= datagram.count
    }

    private func failIfHandshakeExpired(now: ContinuousClock.Instant) -> Bool {
        guard state == .handshaking, let deadline = handshakeDeadline, now >= deadline else { return false }
        fail(.timeout, "DTLS handshake did not complete within \(handshakeTimeout)")
        return true
    }

    // MARK: - OpenSSL calls

    private func advanceHandshake() {
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        collectWritten()
        if result == 1 {
            completeHandshake()
            return
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return
        case SSL_ERROR_ZERO_RETURN:
            finishClosed()
        default:
            let reason = OpenSSLErrorQueue.drain()
            if callbacks.fingerprintMatched == false {
                fail(.fingerprintMismatch, "peer certificate does not match the SDP fingerprint (\(reason))")
            } else {
                fail(.handshakeFailed, "DTLS handshake failed: \(reason)")
            }
        }
    }

    /// Checks the certificate the session ended up with, then exports the SRTP keys.
    private func completeHandshake() {
        let expected = callbacks.expectedFingerprint
        guard let peer = SSL_get1_peer_certificate(ssl) else {
            fail(.fingerprintMismatch, "peer presented no certificate")
            return
        }
        let actual = try? DTLSFingerprint(hashing: peer, algorithm: expected.algorithm)
        X509_free(peer)
        guard actual == expected else {
            fail(.fingerprintMismatch, "peer certificate \(actual?.description ?? "?") does not match \(expected)")
            return
        }
        guard let selected = SSL_get_selected_srtp_profile(ssl),
            let profile = SRTPProfile(protectionProfileID: UInt16(truncatingIfNeeded: selected.pointee.id))
        else {
            fail(.unsupported, "peer did not negotiate a supported use_srtp profile")
            return
        }
        let label = "EXTRACTOR-dtls_srtp"  // RFC 5764 §4.2
        let length = profile.exportedKeyingMaterialLength
        var exported = [UInt8](repeating: 0, count: length)
        OpenSSLErrorQueue.clear()
        let status = SSL_export_keying_material(ssl, &exported, length, label, label.utf8.count, nil, 0, 0)
        guard status == 1, let material = try? SRTPKeyingMaterial(profile: profile, exportedKeyingMaterial: exported)
        else {
            fail(.crypto, "exporting SRTP keying material failed: \(OpenSSLErrorQueue.drain())")
            return
        }
        state = .connected
        handshakeDeadline = nil
        keyingMaterial = material
        emit(.event(.connected(material)))
    }

    private func readApplicationData() {
        while state == .connected {
            OpenSSLErrorQueue.clear()
            let count = readBuffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            collectWritten()
            if count > 0 {
                emit(.event(.applicationData(Array(readBuffer[0..<Int(count)]))))
                continue
            }
            switch SSL_get_error(ssl, count) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return
            case SSL_ERROR_ZERO_RETURN:
                // The peer's close_notify: answer with ours, then we are done.
                OpenSSLErrorQueue.clear()
                _ = SSL_shutdown(ssl)
                collectWritten()
                finishClosed()
            default:
                fail(.handshakeFailed, "DTLS connection failed: \(OpenSSLErrorQueue.drain())")
            }
        }
    }

    private func refreshRetransmitDeadline(now: ContinuousClock.Instant) {
        var remaining = timeval()
        guard state == .handshaking || state == .connected, steadfast_DTLSv1_get_timeout(ssl, &remaining) == 1 else {
            retransmitDeadline = nil
            return
        }
        retransmitDeadline = now + .seconds(Int64(remaining.tv_sec)) + .microseconds(Int64(remaining.tv_usec))
    }

    // MARK: - Outputs

    private func collectWritten() {
        for datagram in callbacks.takeWritten() {
            statistics.datagramsSent += 1
            emit(.transmit(datagram))
        }
    }

    private func emit(_ output: Output) { outputs.append(output) }

    private func finishClosed() {
        state = .closed
        handshakeDeadline = nil
        retransmitDeadline = nil
        emit(.event(.closed))
    }

    private func fail(_ code: RTCError.Code, _ message: String) {
        state = .failed
        handshakeDeadline = nil
        retransmitDeadline = nil
        emit(.event(.failed(RTCError(code, message))))
    }

    private static func microseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(clamping: max(0, min(seconds, 3600))) * 1_000_000 + Int(attoseconds / 1_000_000_000_000)
    }
}
