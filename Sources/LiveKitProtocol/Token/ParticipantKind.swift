/// The `kind` claim. LiveKit lowercases `ParticipantInfo.Kind`; an unknown value is kept as
/// written but counts as `standard`, as the server does.
public struct ParticipantKind: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let standard = ParticipantKind(rawValue: "standard")
    public static let ingress = ParticipantKind(rawValue: "ingress")
    public static let egress = ParticipantKind(rawValue: "egress")
    public static let sip = ParticipantKind(rawValue: "sip")
    public static let agent = ParticipantKind(rawValue: "agent")
    public static let connector = ParticipantKind(rawValue: "connector")
    public static let bridge = ParticipantKind(rawValue: "bridge")

    public static let known: [ParticipantKind] = [.standard, .ingress, .egress, .sip, .agent, .connector, .bridge]

    /// The kind the server acts on: unknown kinds fall back to `standard`.
    public var effective: ParticipantKind { Self.known.contains(self) ? self : .standard }

    public var description: String { rawValue }
}
