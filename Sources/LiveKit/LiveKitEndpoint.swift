import Foundation
import SteadfastConfig

/// LiveKit's WebSocket endpoints from a `LIVEKIT_URL`: http → ws, https → wss, any path kept as a
/// prefix, as LiveKit's SDKs do (`wss://host/rtc`, `wss://host/agent`).
enum LiveKitEndpoint {
    /// Refuses what LiveKit cannot use with a one-line `ConfigError`: another scheme, no host, and a
    /// user name or password (LiveKit authenticates with a token built from the API key and secret;
    /// `ws://user:pass@host` would otherwise be taken for a host called "user" further down).
    static func components(_ url: URL, path endpoint: String) throws(ConfigError) -> URLComponents {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let scheme = components.scheme?.lowercased() else {
            throw ConfigError(.invalid, "LIVEKIT_URL \(redacted(url)) is not a ws(s) or http(s) URL")
        }
        if components.percentEncodedUser != nil || components.percentEncodedPassword != nil {
            throw ConfigError(.invalid, "LIVEKIT_URL \(redacted(url)) has a user name or password in it: remove it "
                              + "(LiveKit authenticates with LIVEKIT_API_KEY and LIVEKIT_API_SECRET)")
        }
        guard components.host?.isEmpty == false else {
            throw ConfigError(.invalid, "LIVEKIT_URL \(redacted(url)) has no host (expected e.g. wss://my-app.livekit.cloud)")
        }
        switch scheme {
        case "ws", "http": components.scheme = "ws"
        case "wss", "https": components.scheme = "wss"
        default: throw ConfigError(.invalid, "LIVEKIT_URL \(redacted(url)) is not a ws(s) or http(s) URL")
        }
        let prefix = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
        components.path = prefix + endpoint
        components.query = nil
        components.fragment = nil
        return components
    }

    /// `url` for messages: any user info replaced by `…` (it may hold a password), no query.
    static func redacted(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "(unparsable URL)" }
        let hadUserInfo = components.percentEncodedUser != nil || components.percentEncodedPassword != nil
        components.percentEncodedUser = nil
        components.percentEncodedPassword = nil
        components.query = nil
        guard let text = components.string else { return "(unparsable URL)" }
        guard hadUserInfo, let range = text.range(of: "://") else { return text }
        return text.replacingCharacters(in: range, with: "://…@")
    }
}
