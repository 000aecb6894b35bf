import Foundation

/// The API keys an embedded server accepts: each key's secret verifies the access tokens signed with it.
///
/// `--dev` uses LiveKit's own development pair (`devkey` / `secret`, as `livekit-server --dev` does) so the
/// official SDKs' examples work unchanged; production keys come from `--keys KEY:SECRET` or the environment.
public struct ServerKeys: Sendable, Equatable {
    /// LiveKit's development key pair (`livekit-server --dev`).
    public static let development = ServerKeys(unchecked: ["devkey": "secret"])

    /// Secrets by API key.
    public let secrets: [String: String]

    private init(unchecked secrets: [String: String]) { self.secrets = secrets }

    /// Keys from `KEY:SECRET` arguments; a malformed or repeated one is refused with a one-line reason.
    public init(arguments: [String]) throws(ServerError) {
        var secrets: [String: String] = [:]
        for argument in arguments {
            guard let colon = argument.firstIndex(of: ":") else {
                throw ServerError.configuration("--keys expects KEY:SECRET, got an argument with no ':'")
            }
            let key = String(argument[..<colon]).trimmingCharacters(in: .whitespaces)
            let secret = String(argument[argument.index(after: colon)...])
            guard !key.isEmpty, !secret.isEmpty else {
                throw ServerError.configuration("--keys expects KEY:SECRET with neither part empty")
            }
            guard secrets[key] == nil else {
                throw ServerError.configuration("--keys names the API key '\(key)' twice")
            }
            secrets[key] = secret
        }
        guard !secrets.isEmpty else { throw ServerError.configuration("no API keys: pass --dev or --keys KEY:SECRET") }
        self.secrets = secrets
    }

    /// The secret for `key`, if the server knows it.
    public func secret(for key: String) -> String? { secrets[key] }
}

/// The embedded server's one error type.
public enum ServerError: Error, Equatable, CustomStringConvertible {
    /// Bad flags or keys at start-up.
    case configuration(String)

    public var description: String {
        switch self {
        case .configuration(let reason): reason
        }
    }
}
