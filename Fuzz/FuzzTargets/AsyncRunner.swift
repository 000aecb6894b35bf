import Foundation
import Synchronization

/// Runs an async body to completion from a synchronous fuzz callback.
///
/// libFuzzer calls `LLVMFuzzerTestOneInput` on its own thread, outside any task, so async code under
/// test (adapter streams, tools) runs in a fresh task while the calling thread waits on a semaphore.
/// The body must end by itself: a body that never returns is a hang, which libFuzzer's `-timeout`
/// reports as a finding.
enum AsyncRunner {
    static func run(_ body: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await body()
            done.signal()
        }
        done.wait()
    }
}
