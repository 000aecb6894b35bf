/// The `sip` claim: telephony administration and outbound calls (LiveKit `auth.SIPGrant`).
public struct SIPGrant: Codable, Equatable, Sendable {
    public var admin = false
    public var call = false

    public init(admin: Bool = false, call: Bool = false) {
        self.admin = admin
        self.call = call
    }

    enum CodingKeys: String, CodingKey { case admin, call }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        admin = try c.decodeIfPresent(Bool.self, forKey: .admin) ?? false
        call = try c.decodeIfPresent(Bool.self, forKey: .call) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if admin { try c.encode(true, forKey: .admin) }
        if call { try c.encode(true, forKey: .call) }
    }
}
