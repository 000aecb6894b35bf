import Foundation
import LiveKitProtocol
import OpenSSLCrypto

/// Hand-built JWTs for cases our own minter refuses to produce (other algorithms, no exp, ...).
enum TokenFixtures {
    static let apiKey = "APIsteadfastTest"
    static let apiSecret = "s3cr3t-0123456789abcdef0123456789abcdef"
    static let verifier = TokenVerifier(keys: [apiKey: apiSecret])
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A compact JWT with arbitrary header and payload JSON, HS256-signed with `secret`.
    static func jwt(header: String = #"{"alg":"HS256","typ":"JWT"}"#, payload: String, secret: String = apiSecret) -> String {
        let input = base64url(Array(header.utf8)) + "." + base64url(Array(payload.utf8))
        let signature = try! HMAC.authenticate(Array(input.utf8), key: Array(secret.utf8), digest: .sha256)
        return input + "." + base64url(signature)
    }

    /// Payload with `exp`/`nbf` relative to `now`.
    static func payload(exp: Int? = 3600, nbf: Int? = 0, extra: String = "") -> String {
        var fields = [#""iss":"\#(apiKey)""#, #""sub":"alice""#]
        if let exp { fields.append(#""exp":\#(Int(now.timeIntervalSince1970) + exp)"#) }
        if let nbf { fields.append(#""nbf":\#(Int(now.timeIntervalSince1970) + nbf)"#) }
        if !extra.isEmpty { fields.append(extra) }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
