import AgentWorker
import Foundation
import Testing

/// The load the worker reports to LiveKit: its CPU time over the CPUs its cgroup grants.
@Suite("CPULoad")
struct MetricsCPULoadTests {
    @Test func utilisationIsCPUTimeOverWallTimeTimesCPUs() {
        let start = ContinuousClock.now
        let load = CPULoad(cpus: 2)
        let from = CPULoad.Sample(cpuTime: .seconds(10), at: start)
        #expect(load.load(from: from, to: .init(cpuTime: .seconds(11), at: start + .seconds(1))) == 0.5)
        #expect(load.load(from: from, to: .init(cpuTime: .seconds(10), at: start + .seconds(1))) == 0)
        #expect(load.load(from: from, to: .init(cpuTime: .seconds(15), at: start + .seconds(1))) == 1, "clamped")
        #expect(load.load(from: from, to: .init(cpuTime: .seconds(11), at: start)) == 0, "no time passed")
        #expect(CPULoad(cpus: 0.5).load(from: from, to: .init(cpuTime: .milliseconds(10_250), at: start + .seconds(1))) == 0.5)
    }

    @Test func cgroupQuotas() throws {
        #expect(CPULoad.quota(v2: "200000 100000\n") == 2)
        #expect(CPULoad.quota(v2: "50000 100000") == 0.5)
        #expect(CPULoad.quota(v2: "max 100000") == nil)
        #expect(CPULoad.quota(v2: "") == nil)
        #expect(CPULoad.quota(v2: "-1 0") == nil)

        let online = Double(ProcessInfo.processInfo.activeProcessorCount)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("cpu"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(CPULoad.availableCPUs(cgroupRoot: root.path) == online, "no quota files: the online CPUs")
        try "25000\n".write(to: root.appendingPathComponent("cpu/cpu.cfs_quota_us"), atomically: true, encoding: .utf8)
        try "100000\n".write(to: root.appendingPathComponent("cpu/cpu.cfs_period_us"), atomically: true, encoding: .utf8)
        #expect(CPULoad.availableCPUs(cgroupRoot: root.path) == 0.25, "cgroup v1")
        try "50000 100000\n".write(to: root.appendingPathComponent("cpu.max"), atomically: true, encoding: .utf8)
        #expect(CPULoad.availableCPUs(cgroupRoot: root.path) == 0.5, "cgroup v2 wins")
        try "max 100000\n".write(to: root.appendingPathComponent("cpu.max"), atomically: true, encoding: .utf8)
        #expect(CPULoad.availableCPUs(cgroupRoot: root.path) == online, "no v2 limit")
    }

    @Test func theProcessCPUTimeAdvancesWithWork() {
        let before = CPULoad.Sample.now()
        var x: UInt64 = 1
        for i in 0..<20_000_000 { x = x &* 6_364_136_223_846_793_005 &+ UInt64(i) }
        let after = CPULoad.Sample.now()
        #expect(x != 0)
        #expect(after.cpuTime > before.cpuTime)
        #expect(after.at > before.at)
    }
}
