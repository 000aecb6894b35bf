import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization

/// The worker process as a `ServiceGroup` (swift-service-lifecycle): the signal watcher, the HTTP
/// server and the worker (whose jobs run inside it) are its services. `steadfast start` only
/// parses flags and runs this; tests build the same group in-process.
///
/// Shutdown: SIGTERM or SIGINT starts a graceful shutdown, which the worker answers by draining
/// (no new jobs; `/ready` 503, `/health` still 200; running jobs finish and are reported). After
/// `drainTimeout` the group cancels: the remaining jobs are cancelled (reported failed) and the
/// outcome is `.drainTimedOut`. A second signal exits at once. The worker giving up shuts the group
/// down too (`/health` answered 503 until then).
public final class WorkerProcess: Sendable {
    public struct Options: Sendable {
        public var httpHost: String
        /// Port of the HTTP server; 0 picks a free one, nil runs none.
        public var httpPort: Int?
        /// How long a drain may take before the running jobs are cancelled.
        public var drainTimeout: Duration
        /// Trap SIGTERM and SIGINT (the CLI). Tests leave them alone and call `shutDownGracefully()`,
        /// which is what the first signal does.
        public var handlesSignals: Bool
        /// The version `/worker` reports.
        public var sdkVersion: String
        /// The registry `/metrics` renders (`PrometheusExport.processRegistry` in the CLI); nil: no `/metrics`.
        public var metrics: PrometheusCollectorRegistry?
        /// How often the worker measures its load (`CPULoad`) and reports it to LiveKit; nil: never
        /// (load 0). Off by default: a test process's CPU is no measure of a worker's.
        public var loadInterval: Duration?
        /// Signal notices also as plain lines on stderr (for a terminal); false when stderr carries JSON logs.
        public var plainNotices: Bool

        public init(httpHost: String = "127.0.0.1", httpPort: Int? = 8081, drainTimeout: Duration = .seconds(1_800),
                    handlesSignals: Bool = true, sdkVersion: String = "0.1.0", metrics: PrometheusCollectorRegistry? = nil,
                    loadInterval: Duration? = nil, plainNotices: Bool = true) {
            self.httpHost = httpHost
            self.httpPort = httpPort
            self.drainTimeout = drainTimeout
            self.handlesSignals = handlesSignals
            self.sdkVersion = sdkVersion
            self.metrics = metrics
            self.loadInterval = loadInterval
            self.plainNotices = plainNotices
        }
    }

    /// How the process ended.
    public enum Outcome: Sendable, Equatable {
        /// Drained (after a signal or `shutDownGracefully()`): exit 0.
        case drained
        /// The worker gave up (refused token, reconnection attempts ran out): exit non-zero.
        case gaveUp(reason: String)
        /// The drain outlasted `drainTimeout`; the remaining jobs were cancelled: exit non-zero.
        case drainTimedOut
        /// Cancelled from outside.
        case cancelled
    }

    /// Why the process could not be built.
    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public let service: AgentWorkerService
    /// The HTTP server's bound port (nil without one).
    public let httpPort: Int?
    private let group: ServiceGroup
    private let worker: WorkerLifecycle
    private let options: Options

    /// Binds the HTTP server (so a taken port fails here, in one line) and builds the group.
    /// - Parameter status: the provider chains' status JSON for `/status`.
    public init(service: AgentWorkerService, options: Options = Options(), logger: Logger,
                status: @escaping @Sendable () async -> Data = { Data("{}".utf8) }) async throws {
        self.service = service
        self.options = options
        worker = WorkerLifecycle(service: service)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        let shutdown = ShutdownTrigger()
        if options.handlesSignals {
            services.append(.init(service: SignalWatcher(trigger: shutdown, logger: logger, plainNotices: options.plainNotices), serviceName: "signals"))
        }
        if let port = options.httpPort {
            let server: WorkerHTTPServer
            do {
                server = try await WorkerHTTPServer(host: options.httpHost, port: port,
                                                    responder: Self.responder(service, sdkVersion: options.sdkVersion,
                                                                              status: status, metrics: options.metrics),
                                                    logger: logger)
            } catch {
                throw StartFailure(description: "cannot serve HTTP on \(options.httpHost):\(port): \(error)")
            }
            httpPort = server.port
            services.append(.init(service: HTTPService(server: server), serviceName: "http"))
        } else {
            httpPort = nil
        }
        if let interval = options.loadInterval {
            services.append(.init(service: LoadReporter(service: service, interval: interval), serviceName: "load"))
        }
        // Last, so a graceful shutdown (which runs in reverse order) drains the worker first while
        // the HTTP server still answers the probes.
        services.append(.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "worker"))
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.maximumGracefulShutdownDuration = options.drainTimeout
        group = ServiceGroup(configuration: configuration)
        shutdown.set(group)
    }

    /// Runs until the worker has drained (after a shutdown), given up, or been cancelled.
    public func run() async -> Outcome {
        do { try await group.run() } catch {
            // A service ending out of turn; the worker's own outcome below says what matters.
        }
        switch worker.termination {
        case .drained?: return .drained
        case .gaveUp(let reason)?: return .gaveUp(reason: reason)
        case .cancelled?, nil: return worker.shutdownRequested ? .drainTimedOut : .cancelled
        }
    }

    /// What the first SIGTERM or SIGINT does: a graceful shutdown (the worker drains).
    public func shutDownGracefully() async {
        await group.triggerGracefulShutdown()
    }

    static func responder(_ service: AgentWorkerService, sdkVersion: String, status: @escaping @Sendable () async -> Data,
                          metrics: PrometheusCollectorRegistry? = nil) -> WorkerHTTPServer.Responder {
        var scrape: (@Sendable () async -> Data)?
        if let registry = metrics {
            scrape = {
                await service.sampleMetrics()
                return PrometheusExport.render(registry)
            }
        }
        return WorkerHTTPServer.Responder(
            healthy: { await service.isHealthy },
            ready: { await service.isReady },
            worker: {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                return (try? encoder.encode(await service.info(sdkVersion: sdkVersion))) ?? Data()
            },
            status: status,
            metrics: scrape)
    }
}

/// The worker as a service: a graceful shutdown drains it; it returns once drained or given up.
private final class WorkerLifecycle: Service {
    let service: AgentWorkerService
    private let state = Mutex<(termination: AgentWorkerService.Termination?, shutdownRequested: Bool)>((nil, false))

    init(service: AgentWorkerService) { self.service = service }

    var termination: AgentWorkerService.Termination? { state.withLock { $0.termination } }
    var shutdownRequested: Bool { state.withLock { $0.shutdownRequested } }

    private func shutdownStarted() { state.withLock { $0.shutdownRequested = true } }

    func run() async throws {
        let service = self.service
        let termination = await withGracefulShutdownHandler {
            await service.run()
        } onGracefulShutdown: {
            self.shutdownStarted()
            service.drain()
        }
        state.withLock { $0.termination = termination }
    }
}

/// Measures the process's CPU load every `interval` and reports it (LiveKit's default load
/// function is CPU utilisation too); it keeps reporting through a drain and stops after it.
private struct LoadReporter: Service {
    let service: AgentWorkerService
    let interval: Duration

    func run() async throws {
        let service = self.service, interval = self.interval
        try? await cancelWhenGracefulShutdown {
            let load = CPULoad()
            var previous = CPULoad.Sample.now()
            while true {
                try await Task.sleep(for: interval)
                let now = CPULoad.Sample.now()
                service.setLoad(load.load(from: previous, to: now))
                previous = now
            }
        }
    }
}

/// The HTTP server as a service: it serves through the drain and closes after the worker has ended.
private struct HTTPService: Service {
    let server: WorkerHTTPServer

    func run() async throws {
        try? await gracefulShutdown()
        await server.stop()
    }
}

/// The group, once built, for the signal watcher (which is one of its services).
final class ShutdownTrigger: Sendable {
    private let group = Mutex<ServiceGroup?>(nil)

    func set(_ group: ServiceGroup) { self.group.withLock { $0 = group } }

    func trigger() async {
        guard let group = group.withLock({ $0 }) else { return }
        await group.triggerGracefulShutdown()
    }
}
