import CCurl
import CShims
import Foundation
import Logging
import Synchronization

/// Runs every transfer of one `CurlHTTPClient` on a single dedicated thread around one libcurl
/// multi handle (which also holds the connection cache, so connections are reused).
///
/// Why a `Thread` and not a task: `curl_multi_poll` blocks, and blocking calls stay off the
/// cooperative pool. Other threads never touch the multi handle except through
/// `curl_multi_wakeup`, the one call libcurl documents as safe from another thread; they post
/// commands to a locked queue and wake the poll, so new requests, cancellations and unpauses are
/// picked up at once rather than at the next poll timeout.
final class CurlMultiDriver: Sendable {
    private enum Command {
        case add(CurlTransfer)
        case cancel(CurlTransfer)
        case resume(CurlTransfer)
    }

    private struct Queue {
        var commands: [Command] = []
        var stopping = false
        /// Set by the driver thread, under the lock, before `curl_multi_cleanup`: no wakeup after that.
        var closed = false
    }

    // SAFETY: `multi` is written once in init. Only the driver thread calls libcurl with it, except
    // `curl_multi_wakeup`, which is thread-safe and only called under `queue`'s lock while
    // `closed` is false, so it can never race `curl_multi_cleanup`.
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private let queue = Mutex(Queue())
    private let logger: Logger

    /// Longest single poll; deadlines are recomputed at least this often.
    private static let maxPollMilliseconds: Int32 = 1000

    init(logger: Logger) throws {
        guard CurlGlobal.initialized, let multi = curl_multi_init() else {
            throw HTTPError(.invalidRequest, "libcurl could not be initialised")
        }
        self.multi = multi
        self.logger = logger
        let thread = Thread { [self] in self.run() }
        thread.name = "steadfast.curl"
        thread.start()
    }

    // MARK: Any thread

    /// Hands a configured transfer to the driver. If the driver has stopped, fails it as cancelled.
    func submit(_ transfer: CurlTransfer) {
        guard post(.add(transfer)) else {
            transfer.complete(with: HTTPError(.cancelled, "HTTP client shut down"))
            return
        }
    }

    /// Aborts a transfer: safe to call any number of times, before or after it was added or finished.
    func cancel(_ transfer: CurlTransfer) {
        transfer.cancelRequested.store(true, ordering: .sequentiallyConsistent)
        _ = post(.cancel(transfer))
    }

    /// Asks the driver to unpause a transfer whose consumer drained the body buffer.
    func resume(_ transfer: CurlTransfer) { _ = post(.resume(transfer)) }

    /// Stops the thread: every transfer still running ends with `.cancelled`, then the multi handle is freed.
    func shutdown() {
        queue.withLock { queue in
            queue.stopping = true
            if !queue.closed { curl_multi_wakeup(multi) }
        }
    }

    private func post(_ command: Command) -> Bool {
        queue.withLock { queue in
            guard !queue.stopping else { return false }
            queue.commands.append(command)
            curl_multi_wakeup(multi)
            return true
        }
    }

    // MARK: Driver thread

    /// Transfers currently in the multi handle, keyed by easy handle. Driver thread only.
    private final class Active {
        var byHandle: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    }

    private func run() {
        let active = Active()
        while true {
            let (commands, stopping) = queue.withLock { queue in
                defer { queue.commands.removeAll(keepingCapacity: true) }
                return (queue.commands, queue.stopping)
            }
            if stopping { break }
            for command in commands { apply(command, active) }

            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinished(active)
            let wait = enforceDeadlines(active)
            var ready: Int32 = 0
            if curl_multi_poll(multi, nil, 0, wait, &ready) != CURLM_OK {
                usleep(1000)  // Never spin if poll itself fails.
            }
        }
        for transfer in active.byHandle.values {
            finish(transfer, HTTPError(.cancelled, "HTTP client shut down"), active)
        }
        queue.withLock { queue in
            queue.closed = true
            for case .add(let transfer) in queue.commands {
                transfer.complete(with: HTTPError(.cancelled, "HTTP client shut down"))
            }
            queue.commands.removeAll()
        }
        curl_multi_cleanup(multi)
    }

    private func apply(_ command: Command, _ active: Active) {
        switch command {
        case .add(let transfer):
            guard let easy = transfer.easy else { return }
            if transfer.cancelRequested.load(ordering: .sequentiallyConsistent) {
                transfer.complete(with: HTTPError(.cancelled, "request cancelled"))
                transfer.release()
                return
            }
            transfer.markStarted()
            guard curl_multi_add_handle(multi, easy) == CURLM_OK else {
                transfer.complete(with: HTTPError(.invalidRequest, "libcurl refused the transfer"))
                transfer.release()
                return
            }
            active.byHandle[easy] = transfer
        case .cancel(let transfer):
            guard let easy = transfer.easy, active.byHandle[easy] === transfer else { return }
            logger.trace("http transfer cancelled")
            finish(transfer, HTTPError(.cancelled, "request cancelled"), active)
        case .resume(let transfer):
            guard let easy = transfer.easy, active.byHandle[easy] === transfer, transfer.paused else { return }
            transfer.didResume()
            // May call the write callback right here with the chunk libcurl held back.
            _ = curl_easy_pause(easy, 0)  // CURLPAUSE_CONT
        }
    }

    private func collectFinished(_ active: Active) {
        var remaining: Int32 = 0
        // SAFETY: each CURLMsg stays valid until the next libcurl call on `multi`; it is read at
        // once, before `finish` calls curl_multi_remove_handle.
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                  let transfer = active.byHandle[easy] else { continue }
            let code = message.pointee.data.result
            if code == CURLE_OK {
                finish(transfer, nil, active)
            } else {
                finish(transfer, HTTPError(curlCode: code), active)
            }
        }
    }

    /// Fails transfers whose deadline passed; returns how long the next poll may sleep (ms).
    private func enforceDeadlines(_ active: Active) -> Int32 {
        let now = ContinuousClock.now
        var wait = Self.maxPollMilliseconds
        for transfer in Array(active.byHandle.values) {
            guard let deadline = transfer.nextDeadline() else { continue }
            if deadline.at <= now {
                logger.trace("http transfer timed out", metadata: ["http.timeout": "\(deadline.kind.rawValue)"])
                finish(transfer, HTTPError(.timeout(deadline.kind), "\(deadline.kind.rawValue) timeout"), active)
            } else {
                // Round up so the poll does not wake a hair before the deadline and spin.
                let ms = (deadline.at - now).milliseconds + 1
                wait = min(wait, Int32(clamping: ms))
            }
        }
        return wait
    }

    /// Removes a transfer from the multi handle, reports its end, and frees its easy handle.
    private func finish(_ transfer: CurlTransfer, _ error: HTTPError?, _ active: Active) {
        guard let easy = transfer.easy else { return }
        _ = curl_multi_remove_handle(multi, easy)
        active.byHandle[easy] = nil
        transfer.complete(with: error)
        transfer.release()
    }
}

/// `curl_global_init` must run once per process, before any other libcurl call and not
/// concurrently with one; a `static let` gives exactly that.
enum CurlGlobal {
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}
