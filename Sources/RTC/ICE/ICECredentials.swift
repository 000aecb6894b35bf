/// The ICE username fragment and password of one side (RFC 8445 §5.3, RFC 8839 §5.4).
///
/// The local pair signs our responses and verifies incoming checks; the remote pair signs our checks.
public struct ICECredentials: Sendable, Hashable {
    public let usernameFragment: String
    public let password: String

    /// Credentials as signalled in SDP (`a=ice-ufrag`, `a=ice-pwd`).
    public init(usernameFragment: String, password: String) {
        self.usernameFragment = usernameFragment
        self.password = password
    }

    /// Fresh random credentials: 8 ufrag characters (≥ 24 bits of randomness required) and 24
    /// password characters (≥ 128 bits required), drawn from the ice-char alphabet of RFC 8839 §5.4.
    public static func random() -> ICECredentials {
        ICECredentials(usernameFragment: randomICEChars(count: 8), password: randomICEChars(count: 24))
    }

    /// The key for MESSAGE-INTEGRITY: the password's UTF-8 bytes (short-term credential, RFC 8489 §9.1).
    var integrityKey: [UInt8] { Array(password.utf8) }

    private static let iceChars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    private static func randomICEChars(count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in iceChars[Int.random(in: 0..<iceChars.count, using: &generator)] })
    }
}
