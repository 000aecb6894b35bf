import Synchronization
import Transport

/// Rate-limit headers seen on every provider response, successful or not, so the router can bench
/// a provider whose window is exhausted before it answers 429 (Groq and OpenAI report
/// `x-ratelimit-remaining-*` on every response).
public final class RateLimitLedger: Sendable {
    private let pending = Mutex<[String: RateLimitInfo]>([:])

    public init() {}

    /// Keeps the latest report per provider.
    public func record(provider: String, _ info: RateLimitInfo) {
        guard !info.isEmpty else { return }
        pending.withLock { $0[provider] = info }
    }

    /// Reports since the last drain.
    public func drain() -> [(provider: String, info: RateLimitInfo)] {
        pending.withLock { pending in
            defer { pending.removeAll() }
            return pending.map { (provider: $0.key, info: $0.value) }
        }
    }
}

/// Wraps a provider's transport so every response head reaches the ledger under the provider's name.
public struct RateLimitObservingTransport: HTTPTransport {
    public let inner: any HTTPTransport
    public let provider: String
    public let ledger: RateLimitLedger

    public init(_ inner: any HTTPTransport, provider: String, ledger: RateLimitLedger) {
        self.inner = inner
        self.provider = provider
        self.ledger = ledger
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await inner.send(request)
        ledger.record(provider: provider, response.head.rateLimit)
        return response
    }
}
