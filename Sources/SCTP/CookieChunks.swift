/// COOKIE ECHO (RFC 9260 §3.3.11): the State Cookie from the INIT ACK, returned verbatim. COOKIE
/// ACK (§3.3.12) has no value and is `SCTPChunk.cookieAck`.
public struct CookieEchoChunk: Equatable, Sendable {
    public var cookie: [UInt8]
    public init(cookie: [UInt8]) { self.cookie = cookie }
}
