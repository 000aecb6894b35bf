import Foundation

/// Runs CPU-heavy synchronous test work (VAD over seconds of audio, speech recognition) on a thread
/// of its own. The cooperative pool has one thread per core (two in CI); a test that computes on it
/// for seconds starves every timing-sensitive suite running beside it.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
