import CSRTP

/// A DTLS-SRTP protection profile (RFC 5764 §4.1.2, RFC 7714 §14.2): which cipher protects media
/// and how much keying material the DTLS handshake must export for it.
///
/// WebRTC requires `aes128CmHmacSha1_80` (RFC 8827 §6.5); the GCM profiles are cheaper per packet
/// and are preferred when both ends offer them. Chrome picks CM-SHA1-80 even when GCM is listed first.
public enum SRTPProfile: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// SRTP_AES128_CM_HMAC_SHA1_80 (0x0001): AES-128 counter mode, 80-bit HMAC-SHA1 tag.
    case aes128CmHmacSha1_80
    /// SRTP_AEAD_AES_128_GCM (0x0007): AES-128-GCM with a 16-byte tag (RFC 7714).
    case aeadAes128Gcm
    /// SRTP_AEAD_AES_256_GCM (0x0008): AES-256-GCM with a 16-byte tag (RFC 7714).
    case aeadAes256Gcm

    /// The order offered in `use_srtp` by default: strongest first, the mandatory profile last.
    public static let defaultOffer: [SRTPProfile] = [.aeadAes256Gcm, .aeadAes128Gcm, .aes128CmHmacSha1_80]

    /// The profile's number on the wire (the `use_srtp` extension).
    public var protectionProfileID: UInt16 {
        switch self {
        case .aes128CmHmacSha1_80: 0x0001
        case .aeadAes128Gcm: 0x0007
        case .aeadAes256Gcm: 0x0008
        }
    }

    /// Looks a profile up by its `use_srtp` number; nil for profiles this stack does not implement.
    public init?(protectionProfileID: UInt16) {
        guard let profile = Self.allCases.first(where: { $0.protectionProfileID == protectionProfileID }) else {
            return nil
        }
        self = profile
    }

    /// The name OpenSSL's `SSL_CTX_set_tlsext_use_srtp` expects.
    public var openSSLName: String {
        switch self {
        case .aes128CmHmacSha1_80: "SRTP_AES128_CM_SHA1_80"
        case .aeadAes128Gcm: "SRTP_AEAD_AES_128_GCM"
        case .aeadAes256Gcm: "SRTP_AEAD_AES_256_GCM"
        }
    }

    /// Master key length in bytes (RFC 5764 §4.2, RFC 7714 §12).
    public var masterKeyLength: Int {
        switch self {
        case .aes128CmHmacSha1_80, .aeadAes128Gcm: 16
        case .aeadAes256Gcm: 32
        }
    }

    /// Master salt length in bytes: 14 for counter mode, 12 for GCM.
    public var masterSaltLength: Int {
        switch self {
        case .aes128CmHmacSha1_80: 14
        case .aeadAes128Gcm, .aeadAes256Gcm: 12
        }
    }

    /// Bytes to export from DTLS for both directions: client key, server key, client salt, server salt.
    public var exportedKeyingMaterialLength: Int { 2 * (masterKeyLength + masterSaltLength) }

    /// Bytes SRTP appends to an RTP packet (the authentication tag; no MKI is used).
    public var rtpTrailerLength: Int {
        switch self {
        case .aes128CmHmacSha1_80: 10
        case .aeadAes128Gcm, .aeadAes256Gcm: 16
        }
    }

    /// Bytes SRTCP appends to an RTCP packet: the tag plus the 4-byte E-flag/index word (RFC 3711 §3.4).
    public var rtcpTrailerLength: Int { rtpTrailerLength + 4 }

    public var description: String { openSSLName }

    /// libsrtp's name for the profile, used to fill a crypto policy.
    var libsrtpProfile: srtp_profile_t {
        switch self {
        case .aes128CmHmacSha1_80: srtp_profile_aes128_cm_sha1_80
        case .aeadAes128Gcm: srtp_profile_aead_aes_128_gcm
        case .aeadAes256Gcm: srtp_profile_aead_aes_256_gcm
        }
    }
}
