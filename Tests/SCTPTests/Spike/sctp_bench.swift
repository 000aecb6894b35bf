// The usrsctp spike's workload (usrsctp_spike.c) on our SCTPAssociation: two associations back to
// back in one process, a lossless in-memory FIFO, the virtual clock advanced only when the link is
// idle. Not built by the package; run Tests/SCTPTests/Spike/bench.sh.
import Foundation
import SCTP

typealias CountFunction = @convention(c) () -> UInt
let countSymbol = dlsym(nil, "sctp_bench_malloc_count")  // RTLD_DEFAULT is null on glibc
let mallocCount: () -> UInt = countSymbol.map { symbol in
    let function = unsafeBitCast(symbol, to: CountFunction.self)
    return { function() }
} ?? { 0 }

func cpuSeconds() -> Double {
    var usage = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &usage)
    return Double(usage.tv_sec) + Double(usage.tv_nsec) / 1e9
}

var a = SCTPAssociation(.init(isDTLSClient: true, seed: 1))
var b = SCTPAssociation(.init(isDTLSClient: false, seed: 2))
var now = ContinuousClock.Instant.now
var toA: [[UInt8]] = [], toB: [[UInt8]] = []
var packets = 0
var received = 0
var lastSize = 0

@MainActor func pump() -> Bool {
    var moved = false
    while let output = a.pollOutput() {
        if case .transmit(let bytes) = output { toB.append(bytes); packets += 1 }
    }
    while let output = b.pollOutput() {
        switch output {
        case .transmit(let bytes): toA.append(bytes); packets += 1
        case .event(.message(_, let message)):
            received += 1
            if case .binary(let bytes) = message { lastSize = bytes.count }
        default: break
        }
    }
    let forB = toB, forA = toA
    toB.removeAll(keepingCapacity: true); toA.removeAll(keepingCapacity: true)
    for bytes in forB { b.handle(.packet(bytes), now: now); moved = true }
    for bytes in forA { a.handle(.packet(bytes), now: now); moved = true }
    return moved
}

@MainActor func idle() {
    let next = [a.nextDeadline, b.nextDeadline].compactMap { $0 }.min() ?? now + .milliseconds(10)
    now = max(now, next)
    if let deadline = a.nextDeadline, deadline <= now { a.handle(.timeout, now: now) }
    if let deadline = b.nextDeadline, deadline <= now { b.handle(.timeout, now: now) }
}

let cpuConnect = cpuSeconds()
a.handle(.connect, now: now)
b.handle(.connect, now: now)
while a.state != .established || b.state != .established { if !pump() { idle() } }
print(String(format: "connected (cpu %.2f ms, %d packets)", (cpuSeconds() - cpuConnect) * 1e3, packets))
a.handle(.openChannel(DataChannelOptions(label: "bench", negotiatedID: 1)), now: now)
b.handle(.openChannel(DataChannelOptions(label: "bench", negotiatedID: 1)), now: now)
while pump() {}

@MainActor func run(_ count: Int, _ size: Int) {
    let message = DataChannelMessage.binary([UInt8](repeating: 7, count: size))
    received = 0
    let mallocs0 = mallocCount(), packets0 = packets
    let wall0 = ContinuousClock.now, cpu0 = cpuSeconds()
    var sent = 0
    while received < count {
        // Feed in bursts, as an application with back-pressure would (buffered amount ≤ 1 MiB).
        while sent < count && a.bufferedAmount(channelID: 1) < 1 << 20 {
            a.handle(.send(channelID: 1, message), now: now)
            sent += 1
        }
        if !pump() { idle() }
    }
    let wall = (ContinuousClock.now - wall0)
    let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
    let cpu = cpuSeconds() - cpu0
    print(String(format: "%6d x %7d B: %8.0f msg/s  %6.2f us CPU/msg  %7.1f mallocs/msg  %5.1f pkts/msg  (%.1f MB/s) last=%d",
                 count, size, Double(count) / seconds, cpu / Double(count) * 1e6,
                 Double(mallocCount() - mallocs0) / Double(count), Double(packets - packets0) / Double(count),
                 Double(count * size) / seconds / 1e6, lastSize))
}

run(1000, 100)
run(10000, 100)
run(10000, 1000)
run(1, 256 * 1024)
run(20, 256 * 1024)
