import COpenSSL
import CShims
import Testing

/// RFC 4231 §4.3 (test case 2) straight through libcrypto's HMAC.
@Test func hmacSHA256MatchesRFC4231TestCase2() {
    let key = Array("Jefe".utf8)
    let data = Array("what do ya want for nothing?".utf8)
    var out = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 0
    let result = HMAC(EVP_sha256(), key, Int32(key.count), data, data.count, &out, &length)
    #expect(result != nil)
    #expect(length == 32)
    let hex = out.map { String(format: "%02x", $0) }.joined()
    #expect(hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
}

/// The DTLS macros wrapped by CShims behave as OpenSSL documents on a real client handshake start.
@Test func dtlsMacroShimsDriveARealClientHello() throws {
    let context = try #require(SSL_CTX_new(DTLS_client_method()))
    defer { SSL_CTX_free(context) }
    #expect(steadfast_SSL_CTX_set_read_ahead(context, 1) == 0)  // returns the previous setting
    let ssl = try #require(SSL_new(context))
    defer { SSL_free(ssl) }

    let readBIO = try #require(BIO_new(BIO_s_mem()))
    let writeBIO = try #require(BIO_new(BIO_s_mem()))
    #expect(steadfast_BIO_set_mem_eof_return(readBIO, -1) == 1)
    SSL_set_bio(ssl, readBIO, writeBIO)  // ssl owns both BIOs now
    SSL_set_options(ssl, steadfast_SSL_OP_NO_QUERY_MTU)
    #expect(steadfast_SSL_set_mtu(ssl, 1200) == 1200)

    var timeout = timeval()
    #expect(steadfast_DTLSv1_get_timeout(ssl, &timeout) == 0, "no timer before the handshake starts")

    // The client writes its ClientHello and then wants to read: an empty BIO must say "retry", not EOF.
    #expect(SSL_connect(ssl) == -1)
    #expect(SSL_get_error(ssl, -1) == SSL_ERROR_WANT_READ)
    var data: UnsafeMutablePointer<CChar>?
    let pending = steadfast_BIO_get_mem_data(writeBIO, &data)
    #expect(pending > 50 && pending <= 1200, "ClientHello of \(pending) bytes fits the MTU")
    #expect(data.map { UInt8(bitPattern: $0[0]) } == 22, "first byte is the DTLS handshake content type")
    #expect(steadfast_DTLSv1_get_timeout(ssl, &timeout) == 1, "retransmit timer armed after the first flight")
    #expect(timeout.tv_sec > 0 || timeout.tv_usec > 0)
}
