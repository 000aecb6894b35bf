/// Which end of the DTLS handshake we are (RFC 5763 §5): the client sends the first flight.
///
/// With `a=setup`, the answerer usually picks `active` and becomes the client. The role also decides
/// which half of the SRTP keying material protects outgoing media, and must not change on renegotiation.
public enum DTLSRole: String, Sendable, Hashable {
    case client
    case server
}
