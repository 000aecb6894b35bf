import Metrics

/// The worker's own Prometheus families: whether it is registered, its jobs and load, how its jobs
/// ended, and how often it had to reconnect. Counters move as things happen; the gauges are read
/// from the worker when `/metrics` is scraped (`AgentWorkerService.sampleMetrics()`).
struct WorkerMetrics: Sendable {
    /// How a job ended, as the `outcome` label (bounded: these three).
    enum JobOutcome: String, CaseIterable {
        case success, failed, cancelled
    }

    let registered: Gauge
    let draining: Gauge
    let activeJobs: Gauge
    let load: Gauge
    let reconnects: Counter
    private let jobs: [JobOutcome: Counter]

    /// With the metrics factory in force now (the process's, or a test's task-local one).
    init() {
        registered = Gauge(label: "steadfast_worker_registered")
        draining = Gauge(label: "steadfast_worker_draining")
        activeJobs = Gauge(label: "steadfast_worker_active_jobs")
        load = Gauge(label: "steadfast_worker_load")
        reconnects = Counter(label: "steadfast_worker_reconnects_total")
        var jobs: [JobOutcome: Counter] = [:]
        for outcome in JobOutcome.allCases {
            jobs[outcome] = Counter(label: "steadfast_worker_jobs_total", dimensions: [("outcome", outcome.rawValue)])
        }
        self.jobs = jobs
        for gauge in [registered, draining, activeJobs, load] { gauge.record(0) }
    }

    func jobEnded(_ outcome: JobOutcome) { jobs[outcome]?.increment() }
}
