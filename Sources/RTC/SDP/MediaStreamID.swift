/// `a=msid` (RFC 8830 §2): the stream and track a sender belongs to. LiveKit matches a published
/// track by the track id (its AddTrackRequest cid) and packs `participantSid|trackSid` as stream id.
public struct MediaStreamID: Sendable, Hashable {
    public var streamID: String
    public var trackID: String?

    public init(streamID: String, trackID: String? = nil) {
        self.streamID = streamID
        self.trackID = trackID
    }

    /// Parses `stream [track]`.
    public init(sdpValue: String) throws(RTCError) {
        let fields = SDPValueParsing.fields(sdpValue)
        guard fields.count == 1 || fields.count == 2 else {
            throw SDPValueParsing.malformed("a=msid needs 'stream-id [track-id]', got \(fields.count) fields")
        }
        self.init(streamID: String(fields[0]), trackID: fields.count == 2 ? String(fields[1]) : nil)
    }

    public var sdpValue: String { trackID.map { "\(streamID) \($0)" } ?? streamID }
}
