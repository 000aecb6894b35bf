/// A local audio track as the SDP sees it: `a=msid` plus the SSRC announced with `a=ssrc`.
/// LiveKit matches a published track by `trackID` (the AddTrackRequest cid).
public struct AudioSendTrack: Sendable, Hashable {
    public var streamID: String
    public var trackID: String
    public var ssrc: UInt32

    public init(streamID: String, trackID: String, ssrc: UInt32) {
        self.streamID = streamID
        self.trackID = trackID
        self.ssrc = ssrc
    }
}
