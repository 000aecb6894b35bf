import Dispatch

extension DispatchQueue {
    /// Runs blocking C work on this queue and awaits it, keeping it off the cooperative pool
    /// (a decoder call would otherwise hold one of only a few pool threads for the whole segment).
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            self.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
