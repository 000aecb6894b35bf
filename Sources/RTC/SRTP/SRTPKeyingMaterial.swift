/// The SRTP master keys and salts both ends derive from one DTLS handshake (RFC 5764 §4.2).
///
/// The DTLS client sends with the client key and salt and receives with the server's; the server does
/// the reverse. `description` never prints the secrets.
public struct SRTPKeyingMaterial: Sendable, Equatable, CustomStringConvertible {
    /// The profile the handshake negotiated; it fixes every length below.
    public let profile: SRTPProfile
    public let clientMasterKey: [UInt8]
    public let clientMasterSalt: [UInt8]
    public let serverMasterKey: [UInt8]
    public let serverMasterSalt: [UInt8]

    /// Checks each part against the profile's key and salt lengths.
    /// - Throws: `RTCError(.crypto)` when a length does not match the profile.
    public init(
        profile: SRTPProfile, clientMasterKey: [UInt8], clientMasterSalt: [UInt8],
        serverMasterKey: [UInt8], serverMasterSalt: [UInt8]
    ) throws(RTCError) {
        guard clientMasterKey.count == profile.masterKeyLength, serverMasterKey.count == profile.masterKeyLength,
            clientMasterSalt.count == profile.masterSaltLength, serverMasterSalt.count == profile.masterSaltLength
        else {
            throw RTCError(.crypto, "SRTP key or salt length does not match \(profile)")
        }
        self.profile = profile
        self.clientMasterKey = clientMasterKey
        self.clientMasterSalt = clientMasterSalt
        self.serverMasterKey = serverMasterKey
        self.serverMasterSalt = serverMasterSalt
    }

    /// Splits the output of the "EXTRACTOR-dtls_srtp" exporter, laid out as
    /// `client_key | server_key | client_salt | server_salt` (RFC 5764 §4.2).
    /// - Throws: `RTCError(.crypto)` when `exported` is not `profile.exportedKeyingMaterialLength` bytes.
    public init(profile: SRTPProfile, exportedKeyingMaterial exported: [UInt8]) throws(RTCError) {
        guard exported.count == profile.exportedKeyingMaterialLength else {
            throw RTCError(.crypto, "exported \(exported.count) bytes, \(profile) needs \(profile.exportedKeyingMaterialLength)")
        }
        let key = profile.masterKeyLength, salt = profile.masterSaltLength
        try self.init(
            profile: profile,
            clientMasterKey: Array(exported[0..<key]),
            clientMasterSalt: Array(exported[(2 * key)..<(2 * key + salt)]),
            serverMasterKey: Array(exported[key..<(2 * key)]),
            serverMasterSalt: Array(exported[(2 * key + salt)..<(2 * key + 2 * salt)]))
    }

    /// Key‖salt that `role` uses to protect what it sends (libsrtp wants them concatenated).
    public func sendingKeyAndSalt(for role: DTLSRole) -> [UInt8] {
        role == .client ? clientMasterKey + clientMasterSalt : serverMasterKey + serverMasterSalt
    }

    /// Key‖salt that `role` uses to verify and decrypt what it receives.
    public func receivingKeyAndSalt(for role: DTLSRole) -> [UInt8] {
        role == .client ? serverMasterKey + serverMasterSalt : clientMasterKey + clientMasterSalt
    }

    public var description: String { "SRTPKeyingMaterial(\(profile), keys redacted)" }
}
