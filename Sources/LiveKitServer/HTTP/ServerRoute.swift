import Foundation
import LiveKitProtocol
import NIOHTTP1

/// Where one HTTP request goes, decided from its head alone: the WebSocket upgrades are refused
/// before upgrading when the token is bad, as livekit-server does (the Rust SDK does not retry a
/// 401, so a forged token fails at once).
enum ServerRoute: Sendable {
    /// `/rtc` with a token that may join.
    case signal(SignalJoin)
    /// `/agent` with a token carrying the agent grant.
    case worker
    /// `/rtc/validate`: the token checked, "success" if it would join.
    case validate
    /// `/twirp/livekit.<Service>/<Method>` with a verified token.
    case twirp(service: String, method: String, grants: ClaimGrants)
    /// `GET /`: LiveKit's health answer.
    case health
    case refuse(HTTPResponseStatus, String)

    static func decide(_ head: HTTPRequestHead, verifier: TokenVerifier, now: Date = Date()) -> ServerRoute {
        let (path, query) = split(head.uri)
        switch path {
        case "/", "":
            return .health
        case "/rtc/v1", "/rtc/v1/validate":
            // Single-connection signalling is not implemented: 404 makes the SDKs fall back to /rtc.
            return .refuse(.notFound, "single peer connection mode (/rtc/v1) is not supported; use /rtc")
        case "/rtc", "/rtc/validate":
            let grants: ClaimGrants
            switch verify(head, query: query, verifier: verifier, now: now) {
            case .success(let verified): grants = verified.grants
            case .failure(let refusal): return refusal.route
            }
            let video = grants.effectiveVideo
            guard video.roomJoin, !video.room.isEmpty else {
                return .refuse(.unauthorized, "permissions denied: the token does not grant roomJoin for a named room")
            }
            guard !grants.identity.isEmpty else { return .refuse(.unauthorized, "the token has no identity (sub)") }
            if path == "/rtc/validate" { return .validate }
            var join = SignalJoin(grants: grants)
            join.autoSubscribe = !["0", "false"].contains(query["auto_subscribe"] ?? "1")
            join.protocolVersion = Int32(query["protocol"] ?? "") ?? 0
            join.clientProtocol = Int32(query["client_protocol"] ?? "") ?? 0
            return .signal(join)
        case "/agent":
            switch verify(head, query: query, verifier: verifier, now: now) {
            case .success(let verified):
                guard verified.grants.effectiveVideo.agent else {
                    return .refuse(.unauthorized, "permissions denied: /agent needs a token with the agent grant")
                }
                return .worker
            case .failure(let refusal): return refusal.route
            }
        default:
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[1] == "twirp" else { return .refuse(.notFound, "no such endpoint: \(path.prefix(128))") }
            guard head.method == .POST else {
                return .refuse(.methodNotAllowed, "Twirp calls are POST requests")
            }
            switch verify(head, query: [:], verifier: verifier, now: now) {
            case .success(let verified): return .twirp(service: String(parts[2]), method: String(parts[3]), grants: verified.grants)
            case .failure(let refusal): return refusal.route
            }
        }
    }

    /// The token from `Authorization: Bearer …` (what the SDKs send) or `access_token` in the query.
    private static func verify(_ head: HTTPRequestHead, query: [String: String], verifier: TokenVerifier, now: Date)
        -> Result<VerifiedToken, Refusal>
    {
        var token = query["access_token"]
        if let header = head.headers.first(name: "authorization") {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { token = String(parts[1]) }
        }
        guard let token, !token.isEmpty else {
            return .failure(Refusal(route: .refuse(.unauthorized, "no access token: send Authorization: Bearer <token>")))
        }
        do { return .success(try verifier.verify(token, now: now)) } catch {
            return .failure(Refusal(route: .refuse(.unauthorized, "invalid token: \(error.message)")))
        }
    }

    /// Path and decoded query parameters; a repeated parameter keeps its last value.
    static func split(_ uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&").prefix(64) {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(keyValue[0]).removingPercentEncoding ?? String(keyValue[0])
            let value = keyValue.count > 1 ? (String(keyValue[1]).removingPercentEncoding ?? String(keyValue[1])) : ""
            query[key] = value
        }
        return (String(uri[..<mark]), query)
    }
}

/// A refused token, carried as the route that answers it.
struct Refusal: Error {
    let route: ServerRoute
}
