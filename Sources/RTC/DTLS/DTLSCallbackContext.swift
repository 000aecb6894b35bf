import COpenSSL

/// The state OpenSSL's callbacks reach through their `void *` pointers: the datagram queues behind the
/// transport's custom BIOs, the retransmit timer's first interval, and the expected peer fingerprint.
///
/// One instance belongs to one `DTLSTransport`, which keeps it alive for as long as its `SSL` exists.
final class DTLSCallbackContext {
    /// Datagrams handed in by the transport and not yet read by OpenSSL (normally zero or one).
    var inbound: [[UInt8]] = []
    private var inboundHead = 0
    /// Datagrams OpenSSL wrote, in order, each exactly one `BIO_write` (= one UDP payload).
    var written: [[UInt8]] = []

    /// The first DTLS retransmission interval in microseconds; OpenSSL doubles it up to 60 s.
    let initialRetransmitMicroseconds: UInt32
    /// The fingerprint from the peer's SDP, checked while OpenSSL verifies the peer certificate.
    let expectedFingerprint: DTLSFingerprint
    /// Set by the verify callback: nil before the peer certificate arrived, then whether it matched.
    var fingerprintMatched: Bool?

    init(initialRetransmitMicroseconds: UInt32, expectedFingerprint: DTLSFingerprint) {
        self.initialRetransmitMicroseconds = initialRetransmitMicroseconds
        self.expectedFingerprint = expectedFingerprint
    }

    func enqueueInbound(_ datagram: [UInt8]) { inbound.append(datagram) }

    /// Drops datagrams OpenSSL did not read (it reads all while it wants input; this keeps a stuck
    /// datagram from being mistaken for the next one).
    func discardUnreadInbound() -> Int {
        let unread = inbound.count - inboundHead
        inbound.removeAll(keepingCapacity: true)
        inboundHead = 0
        return unread
    }

    func dequeueInbound() -> [UInt8]? {
        guard inboundHead < inbound.count else { return nil }
        let datagram = inbound[inboundHead]
        inboundHead += 1
        if inboundHead == inbound.count {
            inbound.removeAll(keepingCapacity: true)
            inboundHead = 0
        }
        return datagram
    }

    func takeWritten() -> [[UInt8]] {
        defer { written.removeAll(keepingCapacity: true) }
        return written
    }

    /// The context a BIO or SSL callback belongs to.
    static func from(bio: OpaquePointer?) -> DTLSCallbackContext? {
        guard let bio, let pointer = BIO_get_data(bio) else { return nil }
        return Unmanaged<DTLSCallbackContext>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// An unretained pointer for OpenSSL; valid while the owning transport lives.
    var opaquePointer: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
}

// MARK: - Custom datagram BIO

/// A `BIO_METHOD` that keeps datagram boundaries, which OpenSSL 3.0 memory BIOs do not
/// (`BIO_s_dgram_mem` arrived in 3.2): every `BIO_write` becomes one outgoing datagram, and every
/// `BIO_read` returns one whole incoming datagram. During the handshake OpenSSL packs records into a
/// buffering BIO and flushes at MTU-sized boundaries, so each flush arrives here as one write.
enum DatagramBIO {
    /// Creates the method table; the caller frees it with `BIO_meth_free` after the BIOs are gone.
    static func makeMethod() -> OpaquePointer? {
        guard let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "steadfast datagram") else {
            return nil
        }
        guard BIO_meth_set_write(method, datagramWrite) == 1, BIO_meth_set_read(method, datagramRead) == 1,
            BIO_meth_set_ctrl(method, datagramControl) == 1, BIO_meth_set_create(method, datagramCreate) == 1,
            BIO_meth_set_destroy(method, datagramDestroy) == 1
        else {
            BIO_meth_free(method)
            return nil
        }
        return method
    }
}

/// BIO_clear_retry_flags' mask (BIO_FLAGS_RWS is a macro Swift cannot import).
private let retryFlags = BIO_FLAGS_READ | BIO_FLAGS_WRITE | BIO_FLAGS_IO_SPECIAL | BIO_FLAGS_SHOULD_RETRY

private func datagramCreate(_ bio: OpaquePointer?) -> Int32 {
    BIO_set_init(bio, 1)
    return 1
}

private func datagramDestroy(_ bio: OpaquePointer?) -> Int32 {
    // The context is owned by the transport, not by the BIO.
    BIO_set_data(bio, nil)
    return 1
}

private func datagramWrite(_ bio: OpaquePointer?, _ data: UnsafePointer<CChar>?, _ length: Int32) -> Int32 {
    BIO_clear_flags(bio, retryFlags)
    guard let context = DTLSCallbackContext.from(bio: bio), let data, length >= 0 else { return -1 }
    let bytes = UnsafeRawBufferPointer(start: data, count: Int(length))
    context.written.append(Array(bytes))
    return length
}

private func datagramRead(_ bio: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int32) -> Int32 {
    BIO_clear_flags(bio, retryFlags)
    guard let context = DTLSCallbackContext.from(bio: bio), let buffer, capacity > 0 else { return -1 }
    guard let datagram = context.dequeueInbound() else {
        // Empty means "try again later", never end-of-file: more datagrams may arrive.
        BIO_set_flags(bio, BIO_FLAGS_READ | BIO_FLAGS_SHOULD_RETRY)
        return -1
    }
    // A datagram larger than OpenSSL's record buffer is cut, as a UDP socket would cut it.
    let count = min(datagram.count, Int(capacity))
    datagram.withUnsafeBytes { source in
        guard count > 0, let start = source.baseAddress else { return }
        UnsafeMutableRawPointer(buffer).copyMemory(from: start, byteCount: count)
    }
    return Int32(count)
}

private func datagramControl(_ bio: OpaquePointer?, _ command: Int32, _ argument: Int, _ pointer: UnsafeMutableRawPointer?)
    -> Int
{
    switch command {
    case BIO_CTRL_FLUSH:
        // Writes are delivered immediately; nothing is ever buffered here.
        return 1
    case BIO_CTRL_DGRAM_QUERY_MTU, BIO_CTRL_WPENDING, BIO_CTRL_PENDING:
        // 0 for QUERY_MTU makes OpenSSL keep the MTU set with SSL_set_mtu.
        return 0
    default:
        return 0
    }
}
