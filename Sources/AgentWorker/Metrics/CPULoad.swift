import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The load a worker reports to LiveKit, as LiveKit's agent SDKs measure it by default: CPU
/// utilisation, 0…1. Here it is this process's CPU time over the CPUs it may use (the cgroup's quota
/// in a container that has one, else the online CPUs), so a pod limited to 2 CPUs is full at 2 CPUs
/// whatever the node has. LiveKit stops sending jobs to a worker at its threshold (0.7).
public struct CPULoad: Sendable {
    /// A reading of the process's CPU time at an instant.
    public struct Sample: Sendable {
        public var cpuTime: Duration
        public var at: ContinuousClock.Instant

        public init(cpuTime: Duration, at: ContinuousClock.Instant) {
            self.cpuTime = cpuTime
            self.at = at
        }

        /// Now, from `getrusage` (user + system time of every thread).
        public static func now() -> Sample {
            var usage = rusage()
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            func duration(_ time: timeval) -> Duration { .seconds(Int64(time.tv_sec)) + .microseconds(Int64(time.tv_usec)) }
            return Sample(cpuTime: duration(usage.ru_utime) + duration(usage.ru_stime), at: .now)
        }
    }

    /// CPUs the process may use.
    public let cpus: Double

    public init(cpus: Double = CPULoad.availableCPUs()) { self.cpus = max(cpus, 0.01) }

    /// Utilisation between two samples, clamped to 0…1 (0 when no time passed).
    public func load(from start: Sample, to end: Sample) -> Double {
        let wall = (end.at - start.at) / .seconds(1)
        guard wall > 0 else { return 0 }
        let used = (end.cpuTime - start.cpuTime) / .seconds(1)
        return min(max(used / (wall * cpus), 0), 1)
    }

    /// The cgroup v2 quota (`cpu.max`, "200000 100000" = 2 CPUs), else cgroup v1's CFS quota, else
    /// the online CPUs.
    public static func availableCPUs(cgroupRoot: String = "/sys/fs/cgroup") -> Double {
        let online = Double(ProcessInfo.processInfo.activeProcessorCount)
        if let text = try? String(contentsOfFile: cgroupRoot + "/cpu.max", encoding: .utf8) {
            return quota(v2: text).map { min($0, online) } ?? online
        }
        if let quota = try? String(contentsOfFile: cgroupRoot + "/cpu/cpu.cfs_quota_us", encoding: .utf8),
           let period = try? String(contentsOfFile: cgroupRoot + "/cpu/cpu.cfs_period_us", encoding: .utf8),
           let q = Double(quota.trimmingCharacters(in: .whitespacesAndNewlines)),
           let p = Double(period.trimmingCharacters(in: .whitespacesAndNewlines)), q > 0, p > 0 {
            return min(q / p, online)
        }
        return online
    }

    /// CPUs granted by a cgroup v2 `cpu.max` line; nil for "max" (no quota) or anything unreadable.
    public static func quota(v2 text: String) -> Double? {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), quota > 0, period > 0 else {
            return nil
        }
        return quota / period
    }
}
