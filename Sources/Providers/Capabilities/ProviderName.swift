import SteadfastConfig

/// The name a chain member serves under ("openrouter", "openai", "local", "pocketsphinx"): the
/// typed identity of a provider where it crosses from Providers into Voice, Agents and the CLI.
///
/// A struct rather than `ProviderID` because chains also hold members that are not remote vendors
/// (the local last resorts) and configured names; `init(_:)` bridges the vendor enum.
public struct ProviderName: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(_ id: ProviderID) { rawValue = id.rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public var description: String { rawValue }

    /// The LLM chain's canned-reply last resort.
    public static let local: ProviderName = "local"
    /// The OpenRouter rotation's member name in an LLM chain.
    public static let openRouter = ProviderName(.openrouter)
}
