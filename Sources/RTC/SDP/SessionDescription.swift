/// A parsed SDP document (RFC 8866): the session-level lines plus one `MediaDescription` per m-line.
///
/// Parsing keeps every attribute in order (unknown ones too), so `serialized()` of a parsed
/// description parses back to an equal value. Typed accessors live in extensions.
public struct SessionDescription: Sendable, Hashable {
    public var origin: SDPOrigin
    /// `s=`; WebRTC always sends `-`.
    public var sessionName: String
    /// `t=` lines as text; WebRTC always sends `0 0`.
    public var timing: [String]
    /// Session-level `c=`, the default for m-lines without their own.
    public var connection: SDPConnection?
    public var bandwidths: [String]
    /// `i=`, `u=`, `e=`, `p=`, `r=`, `z=`, `k=` lines.
    public var otherLines: [SDPLine]
    /// Session-level `a=` lines in order. ICE, DTLS and BUNDLE attributes here apply to every m-line
    /// that does not override them.
    public var attributes: [SDPAttribute]
    public var media: [MediaDescription]

    public init(
        origin: SDPOrigin, sessionName: String = "-", timing: [String] = ["0 0"],
        connection: SDPConnection? = nil, bandwidths: [String] = [], otherLines: [SDPLine] = [],
        attributes: [SDPAttribute] = [], media: [MediaDescription] = []
    ) {
        self.origin = origin
        self.sessionName = sessionName
        self.timing = timing
        self.connection = connection
        self.bandwidths = bandwidths
        self.otherLines = otherLines
        self.attributes = attributes
        self.media = media
    }
}
