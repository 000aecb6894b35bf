import Foundation
import SteadfastConfig

/// LiveKit's WebSocket endpoints from a `LIVEKIT_URL`: http → ws, https → wss, any path kept as a
/// prefix, as LiveKit's SDKs do (`wss://host/rtc`, `wss://host/agent`).
enum LiveKitEndpoint {
    static func components(_ url: URL, path endpoint: String) throws(ConfigError) -> URLComponents {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let scheme = components.scheme?.lowercased(), components.host?.isEmpty == false else {
            throw ConfigError(.invalid, "LIVEKIT_URL \(url) is not a ws(s) or http(s) URL")
        }
        switch scheme {
        case "ws", "http": components.scheme = "ws"
        case "wss", "https": components.scheme = "wss"
        default: throw ConfigError(.invalid, "LIVEKIT_URL \(url) is not a ws(s) or http(s) URL")
        }
        let prefix = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
        components.path = prefix + endpoint
        components.query = nil
        return components
    }
}
