import Dispatch
import Foundation
import Logging
import ServiceLifecycle

/// SIGTERM or SIGINT once: a graceful shutdown of the group (the worker drains). Twice: exit now.
///
/// The group's own signal trapping cannot do the second part (it stops listening after the first
/// signal), so this service traps both. It is the group's first service, so a graceful shutdown
/// (in reverse order) reaches it last and it keeps watching for the second signal meanwhile.
struct SignalWatcher: Service {
    let trigger: ShutdownTrigger
    let logger: Logger
    /// Also tell a person at the terminal, in plain words on stderr; off when stderr is JSON lines.
    var plainNotices = true

    func run() async throws {
        let (signals, sink) = AsyncStream<Int32>.makeStream()
        let queue = DispatchQueue(label: "steadfast.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            // Dispatch delivers the signal only once its default action (terminate) is off.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { sink.yield(number) }
            source.resume()
            sources.append(source)
        }
        defer {
            sources.forEach { $0.cancel() }
            sink.finish()
        }
        var count = 0
        for await number in signals.cancelOnGracefulShutdown() {
            count += 1
            if count > 1 {
                if plainNotices { FileHandle.standardError.write(Data("steadfast: second signal, exiting now\n".utf8)) }
                logger.notice("Second signal: exiting now")
                exit(130)
            }
            if plainNotices { FileHandle.standardError.write(Data("steadfast: draining (signal again to exit now)\n".utf8)) }
            logger.info("Signal received: draining", metadata: ["signal": "\(number == SIGTERM ? "SIGTERM" : "SIGINT")"])
            await trigger.trigger()
        }
    }
}
