import Foundation

/// Removes credentials from text that came back from a provider before it reaches a log or an error.
///
/// Some providers echo the key in error bodies ("Incorrect API key provided: sk-…"), so every
/// `ProviderError` message built from provider input goes through here.
public struct SecretScrubber: Sendable {
    /// Exact secrets to remove (the adapter's own API key).
    var secrets: [String]

    init(secrets: [String] = []) {
        // Very short values would blank out ordinary words; no real key is that short.
        self.secrets = secrets.filter { $0.count >= 6 }
    }

    /// Prefixes of well-known key formats, removed even when they are not our own key.
    private static let keyPrefixes = ["sk-", "gsk_", "AIza", "xai-", "pk-", "rk-"]

    /// `text` with every secret and every key-shaped token replaced by "[REDACTED]", cut to `limit` characters.
    func scrub(_ text: String, limit: Int = 600) -> String {
        var result = text
        for secret in secrets {
            result = result.replacingOccurrences(of: secret, with: "[REDACTED]")
        }
        result = Self.scrubKeyShapedTokens(result)
        if result.count > limit { result = String(result.prefix(limit)) + "…" }
        return result
    }

    /// Scrubs text whose secrets are not known in advance (status JSON, logs): bearer tokens,
    /// JWTs, `key=`/`token=` query values and key-shaped tokens.
    public static func scrub(_ text: String) -> String {
        var result = text
        let patterns: [(String, String)] = [
            (#"(?i)bearer\s+[A-Za-z0-9._\-~+/=]+"#, "[REDACTED]"),
            (#"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+"#, "[REDACTED]"),
            (#"(?i)([?&](key|api_key|apikey|token)=)[^&\s]+"#, "$1[REDACTED]"),
        ]
        for (pattern, template) in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            result = regex.stringByReplacingMatches(
                in: result, range: NSRange(result.startIndex..., in: result), withTemplate: template)
        }
        return scrubKeyShapedTokens(result)
    }

    private static func scrubKeyShapedTokens(_ text: String) -> String {
        var output = ""
        var token = ""
        func flush() {
            let looksLikeKey = token.count >= 20 && keyPrefixes.contains { token.hasPrefix($0) }
            output += looksLikeKey ? "[REDACTED]" : token
            token = ""
        }
        for character in text {
            if character.isLetter || character.isNumber || character == "-" || character == "_" {
                token.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }
}
