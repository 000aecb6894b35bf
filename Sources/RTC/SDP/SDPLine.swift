/// A rarely used SDP line (`i=`, `u=`, `e=`, `p=`, `r=`, `z=`, `k=`) that WebRTC never acts on but
/// a round trip must not lose.
public struct SDPLine: Sendable, Hashable {
    public var type: Character
    public var value: String

    public init(type: Character, value: String) {
        self.type = type
        self.value = value
    }
}
