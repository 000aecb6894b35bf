/// Why a token was refused. One error type for the module: branch on `code`, show `message`.
///
/// Messages never include the token or any secret: they are safe to log and to show a client.
public struct TokenError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, Equatable {
        /// Not three base64url segments, or a segment is not JSON.
        case malformed
        /// Larger than `TokenVerifier.maximumTokenLength`.
        case tooLarge
        /// Any `alg` but HS256, including `none`.
        case unsupportedAlgorithm
        /// `iss` missing or not an API key we know.
        case unknownIssuer
        case badSignature
        /// No `exp` claim: LiveKit requires one, so a leaked token cannot live forever.
        case missingExpiry
        case expired
        case notYetValid
        /// The signature is good but a claim has the wrong type or shape.
        case invalidClaims
        /// Minting refused: e.g. a room join without an identity or room.
        case invalidGrants
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
