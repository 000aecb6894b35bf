/// Session-level views, and the effective value of attributes that may sit at either level:
/// pion puts the fingerprint at session level, libdatachannel/OBS put ICE and setup there too
/// (str0m#261), so every reader must fall back from media to session.
extension SessionDescription {
    public var groups: [SDPGroup] {
        attributes.values(named: "group").compactMap { value in try? SDPGroup(sdpValue: value) }
    }

    /// The first `a=group:BUNDLE`; WebRTC uses one per description.
    public var bundleGroup: SDPGroup? { groups.first { $0.isBundle } }

    /// True when the author is an ICE-lite agent (RFC 8445 §2.5): then the other side must control.
    public var isICELite: Bool { attributes.contains(named: "ice-lite") || media.contains { $0.iceLite } }

    public var fingerprints: [SDPFingerprint] {
        attributes.values(named: "fingerprint").compactMap { value in try? SDPFingerprint(sdpValue: value) }
    }

    public func mediaIndex(mid: String) -> Int? { media.firstIndex { $0.mid == mid } }

    /// Media-level `a=ice-ufrag`, else the session-level one.
    public func iceUsernameFragment(forMediaAt index: Int) -> String? {
        effectiveValues("ice-ufrag", index).first
    }

    public func icePassword(forMediaAt index: Int) -> String? { effectiveValues("ice-pwd", index).first }

    public func iceOptions(forMediaAt index: Int) -> [String] {
        effectiveValues("ice-options", index).flatMap { SDPValueParsing.fields($0).map(String.init) }
    }

    public func fingerprints(forMediaAt index: Int) -> [SDPFingerprint] {
        effectiveValues("fingerprint", index).compactMap { value in try? SDPFingerprint(sdpValue: value) }
    }

    public func setup(forMediaAt index: Int) -> DTLSSetup? {
        effectiveValues("setup", index).lazy.compactMap { value in try? DTLSSetup(sdpValue: value) }.first
    }

    /// Media-level candidates plus any (non-standard) session-level ones.
    public func candidates(forMediaAt index: Int) -> [String] {
        guard media.indices.contains(index) else { return [] }
        return media[index].candidates + attributes.values(named: "candidate")
    }

    public func endOfCandidates(forMediaAt index: Int) -> Bool {
        guard media.indices.contains(index) else { return false }
        return media[index].endOfCandidates || attributes.contains(named: "end-of-candidates")
    }

    /// The media-level values of `name` if there are any, otherwise the session-level ones.
    private func effectiveValues(_ name: String, _ index: Int) -> [String] {
        if media.indices.contains(index) {
            let local = media[index].attributes.values(named: name)
            if !local.isEmpty { return local }
        }
        return attributes.values(named: name)
    }
}
