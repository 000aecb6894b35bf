import Synchronization

/// The hand-off between the driver thread (producer, inside libcurl's write callback) and the task
/// iterating `HTTPResponse.body` (consumer).
///
/// Backpressure: the buffer is bounded by bytes (`capacity`). When it is full the write callback
/// returns `CURL_WRITEFUNC_PAUSE`; libcurl keeps that chunk and stops reading the socket (for
/// HTTP/2, stops extending the stream's flow-control window). When the consumer has drained the
/// buffer to a quarter, it asks the driver to unpause. Nothing is ever dropped, and a slow
/// consumer costs at most `capacity` bytes plus libcurl's own receive buffer.
final class ResponseBodyChannel: Sendable {
    /// Outcome of taking from the buffer without waiting.
    enum Take {
        case chunk([UInt8], resumeProducer: Bool)
        case end(HTTPError?)
        case empty
    }

    private struct State {
        var chunks: [[UInt8]] = []
        var firstChunk = 0
        var bufferedBytes = 0
        /// Set once the transfer is over; `nil` inside means success.
        var end: HTTPError??
        /// The end was already reported to the consumer; later reads return nil.
        var endDelivered = false
        var producerPaused = false
        var waiter: UnsafeContinuation<Void, Never>?
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 1 << 20) { self.capacity = capacity }

    // MARK: Producer (driver thread)

    /// Whether one more chunk may be buffered. Only the producer adds, so a `true` stays true until `push`.
    var hasRoom: Bool { state.withLock { $0.bufferedBytes < capacity } }

    /// Records that the producer paused because the buffer was full.
    func markProducerPaused() { state.withLock { $0.producerPaused = true } }

    func push(_ chunk: [UInt8]) {
        let waiter: UnsafeContinuation<Void, Never>? = state.withLock { state in
            guard state.end == nil else { return nil }
            state.chunks.append(chunk)
            state.bufferedBytes += chunk.count
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Ends the body: `nil` for a complete transfer, an error otherwise. Later calls are ignored.
    func finish(_ error: HTTPError?) {
        let waiter: UnsafeContinuation<Void, Never>? = state.withLock { state in
            guard state.end == nil else { return nil }
            state.end = .some(error)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    // MARK: Consumer

    var isFinished: Bool { state.withLock { $0.end != nil } }

    /// Takes a buffered chunk or the end without suspending (no continuation on the fast path).
    func take() -> Take {
        state.withLock { state in
            if state.firstChunk < state.chunks.count {
                let chunk = state.chunks[state.firstChunk]
                state.chunks[state.firstChunk] = []
                state.firstChunk += 1
                if state.firstChunk == state.chunks.count {
                    state.chunks.removeAll(keepingCapacity: true)
                    state.firstChunk = 0
                }
                state.bufferedBytes -= chunk.count
                let resume = state.producerPaused && state.bufferedBytes <= capacity / 4
                if resume { state.producerPaused = false }
                return .chunk(chunk, resumeProducer: resume)
            }
            if let end = state.end {
                if state.endDelivered { return .end(nil) }
                state.endDelivered = true
                return .end(end)
            }
            return .empty
        }
    }

    /// Suspends until the producer pushes or finishes, then the caller calls `take()` again.
    /// The continuation is resumed exactly once: by `push`, `finish`, or here when data already arrived.
    func waitForData() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let ready = state.withLock { state in
                // Re-check under the lock: the producer may have acted since `take()`.
                if state.firstChunk < state.chunks.count || state.end != nil { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Ends the body with `.cancelled`, drops anything buffered, and wakes a waiting consumer.
    func cancel() {
        let waiter: UnsafeContinuation<Void, Never>? = state.withLock { state in
            guard !state.endDelivered else { return nil }
            state.chunks.removeAll()
            state.firstChunk = 0
            state.bufferedBytes = 0
            state.end = .some(HTTPError(.cancelled, "request cancelled"))
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
