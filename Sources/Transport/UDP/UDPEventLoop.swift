import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The thin driver around a sans-IO UDP machine: one thread that polls its sockets and a wake-up
/// descriptor, feeds batches of datagrams to the handler, sends what the handler queues, and sleeps
/// until the handler's next deadline (with no deadline, until an input arrives).
///
/// The handler lives on the loop thread. Other threads and tasks reach it only through `perform`,
/// which queues a closure and wakes the loop, so the machine itself never needs a lock.
public final class UDPEventLoop: @unchecked Sendable {
    // SAFETY: `sockets`, `handler` and `batch` are touched only on the loop thread (or before start);
    // the work queue and the running flag are guarded by `lock`.
    private let sockets: [UDPSocket]
    private let handler: any UDPEventLoopHandler
    private let batch = UDPReceiveBatch(capacity: 32, maximumDatagramSize: 1500)
    /// A self-pipe: writing a byte to `wakeWriter` wakes the poll on `wakeReader`.
    private let wakeReader: Int32
    private let wakeWriter: Int32
    private let lock = NSLock()
    private var work: [@Sendable () -> Void] = []
    private var running = false
    private var stopped = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private let logger: Logger
    /// Datagrams dropped because they were larger than a slot, or because the send buffer was full.
    public private(set) var truncatedDatagrams = 0
    public private(set) var droppedTransmits = 0

    public init(sockets: [UDPSocket], handler: any UDPEventLoopHandler, logger: Logger = Logger(label: "steadfast.udp")) throws(UDPError) {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw UDPError("pipe failed: \(String(cString: strerror(errno)))") }
        for end in pipeEnds {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        self.sockets = sockets
        self.handler = handler
        self.logger = logger
        wakeReader = pipeEnds[0]
        wakeWriter = pipeEnds[1]
    }

    deinit {
        _ = Glibc.close(wakeReader)
        _ = Glibc.close(wakeWriter)
    }

    /// Starts the loop thread.
    public func start(name: String = "steadfast-udp") {
        lock.lock()
        guard !running, !stopped else { lock.unlock(); return }
        running = true
        lock.unlock()
        let thread = Thread { [self] in run() }
        thread.name = name
        self.thread = thread
        thread.start()
    }

    /// Runs `body` on the loop thread (with access to the handler) and wakes the loop.
    public func perform(_ body: @escaping @Sendable () -> Void) {
        lock.lock()
        work.append(body)
        lock.unlock()
        wake()
    }

    /// Stops the loop and waits for its thread to finish its current pass. Safe to call twice.
    public func stop() {
        lock.lock()
        let wasRunning = running
        running = false
        stopped = true
        lock.unlock()
        guard wasRunning else { return }
        wake()
        finished.wait()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)  // a full pipe already means "wake up"; nothing to do on EAGAIN
    }

    private var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    private func run() {
        var descriptors = sockets.map { pollfd(fd: $0.fileDescriptor, events: Int16(POLLIN), revents: 0) }
        descriptors.append(pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0))
        while isRunning {
            flushTransmits()
            let timeout = pollTimeoutMilliseconds()
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0 && errno != EINTR {
                logger.error("poll failed: \(String(cString: strerror(errno)))")
                break
            }
            if descriptors[sockets.count].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while read(wakeReader, &drain, drain.count) > 0 {}
                runQueuedWork()
            }
            for index in sockets.indices where descriptors[index].revents & Int16(POLLIN) != 0 {
                receiveAll(socketIndex: index)
            }
            let now = ContinuousClock.now
            if let deadline = handler.nextDeadline(), deadline <= now {
                handler.timeoutFired(now: now)
            }
        }
        runQueuedWork()
        flushTransmits()
        finished.signal()
    }

    /// How long to sleep in `poll`: until the handler's deadline, or indefinitely (-1) when it has
    /// none; inputs (datagrams, `perform`, `stop`) wake the poll, so nothing runs on a fixed period.
    private func pollTimeoutMilliseconds() -> Int32 {
        guard let deadline = handler.nextDeadline() else { return -1 }
        let remaining = deadline - ContinuousClock.now
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        // Round up so the loop never wakes a hair early and spins.
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(min(milliseconds, Int64(Int32.max)))
    }

    private func runQueuedWork() {
        lock.lock()
        let pending = work
        work.removeAll(keepingCapacity: true)
        lock.unlock()
        for body in pending { body() }
    }

    private func receiveAll(socketIndex: Int) {
        let socket = sockets[socketIndex]
        while true {
            let count: Int
            do { count = try socket.receive(into: batch) } catch {
                logger.warning("receive on \(socket.localAddress) failed: \(error)")
                return
            }
            guard count > 0 else { return }
            let now = ContinuousClock.now
            for index in 0..<count {
                if batch.wasTruncated(index) {
                    truncatedDatagrams += 1
                    continue
                }
                handler.datagramReceived(batch.datagram(index), from: batch.source(index), socketIndex: socketIndex, now: now)
            }
            flushTransmits()
            if count < batch.capacity { return }
        }
    }

    private func flushTransmits() {
        let now = ContinuousClock.now
        while let transmit = handler.nextTransmit(now: now) {
            guard sockets.indices.contains(transmit.socketIndex) else { droppedTransmits += 1; continue }
            do {
                if try !sockets[transmit.socketIndex].send(transmit.bytes, to: transmit.destination) { droppedTransmits += 1 }
            } catch {
                droppedTransmits += 1
                logger.debug("send to \(transmit.destination) failed: \(error)")
            }
        }
    }
}
