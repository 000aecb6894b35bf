import Foundation

/// A task executor backed by one thread of its own, for tests that measure latency.
///
/// Why: Swift Testing runs suites in parallel in one process, and some suites block the
/// cooperative pool (synchronous subprocess waits). On a 2-core machine that can stall every pool
/// thread for seconds, and a latency assertion would then measure the other suite, not the code
/// under test. Running the measuring task here (`withTaskExecutorPreference`) keeps the
/// measurement about the code under test.
public final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    // SAFETY: `jobs` is only touched with `condition` locked; the thread is the only consumer.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    /// One shared instance: its thread lives for the whole test process.
    public static let shared = DedicatedThreadExecutor(name: "test.latency-executor")

    public init(name: String) {
        let thread = Thread { [self] in self.runLoop() }
        thread.name = name
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
