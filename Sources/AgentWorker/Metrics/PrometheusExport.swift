import Foundation
import Metrics
import Prometheus

/// The process's Prometheus registry, behind swift-metrics. `steadfast start`/`dev` bootstrap it
/// once; everything that creates metrics afterwards (routers, sessions, the worker) reports into it,
/// and `GET /metrics` renders it. Libraries never bootstrap; tests use a task-local factory
/// (`withMetricsFactory`) with a registry of their own instead.
public enum PrometheusExport {
    /// The registry, bootstrapping swift-metrics with it on first use (exactly once per process).
    public static let processRegistry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(factory(for: registry))
        return registry
    }()

    /// A Prometheus factory with histogram buckets fit for a voice agent: first outputs and the
    /// caller's wait from 50 ms to 10 s (the defaults start at 5 ms, finer than speech needs).
    public static func factory(for registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [50, 100, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 10_000]
            .map { Duration.milliseconds($0) }
        return factory
    }

    /// The registry in the Prometheus text format (version 0.0.4), as `/metrics` serves it.
    public static func render(_ registry: PrometheusCollectorRegistry) -> Data {
        Data(registry.emitToBuffer())
    }

    /// The `Content-Type` of `render`'s output.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
