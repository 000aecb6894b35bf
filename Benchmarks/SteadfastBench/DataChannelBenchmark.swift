import Foundation
import RTC
import TestSupport

/// 12. Data channels (issue 11 §4): messages per second and CPU per message through the whole
/// stack — `sendData` → SCTP → DTLS records → datagrams → DTLS → SCTP → `.dataChannelMessage` —
/// between two `PeerConnection`s in one thread on an in-memory lossless link, so the figure is one
/// core's cost for both ends. aiortc runs the same workload in the same run (two
/// `RTCPeerConnection`s in one Python process over loopback UDP) as the comparison.
enum DataChannelBenchmark {
    static let name = "12. Data channels"

    struct Workload {
        var count: Int
        var size: Int
        var label: String { size >= 1024 * 1024 / 4 ? "\(count) × \(size / 1024) KiB" : "\(count) × \(size) B" }
    }

    static func run(_ options: BenchOptions) async throws -> (rows: [ResultRow], derived: [DerivedRow]) {
        let workloads = [Workload(count: options.iterations(10_000), size: 100),
                         Workload(count: options.iterations(10_000), size: 1_000),
                         Workload(count: options.quick ? 4 : 20, size: 262_144)]
        var derived: [DerivedRow] = []
        for workload in workloads {
            progress("\(name), \(workload.label): Steadfast")
            let ours = try measure(workload)
            progress("\(name), \(workload.label): aiortc")
            let output = try await InteropPython.run(
                script: "Tests/Interop/peers/aiortc_datachannel_bench.py",
                ["--count", "\(workload.count)", "--size", "\(workload.size)"])
            guard let line = output.split(separator: "\n").last,
                  let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let theirRate = object["messagesPerSecond"] as? Double, let theirCPU = object["cpuSecondsPerMessage"] as? Double
            else { throw BenchFailure("aiortc bench printed no result: \(output.suffix(300))") }
            let ratio = String(format: "%.0f× less CPU than aiortc", theirCPU / ours.cpuPerMessage)
            derived.append(DerivedRow(benchmark: name, scenario: "Steadfast, \(workload.label): messages/s (wall, both ends on one core)",
                                      count: workload.count, median: ours.messagesPerSecond, p90: .nan, p99: .nan,
                                      ratio: "", target: "", unit: .number))
            derived.append(DerivedRow(benchmark: name, scenario: "Steadfast, \(workload.label): CPU per message (both ends)",
                                      count: workload.count, median: ours.cpuPerMessage, p90: .nan, p99: .nan,
                                      ratio: ratio, target: ""))
            derived.append(DerivedRow(benchmark: name, scenario: "aiortc 1.16, \(workload.label): messages/s (wall, both ends in one process)",
                                      count: workload.count, median: theirRate, p90: .nan, p99: .nan,
                                      ratio: "", target: "", unit: .number))
            derived.append(DerivedRow(benchmark: name, scenario: "aiortc 1.16, \(workload.label): CPU per message (both ends)",
                                      count: workload.count, median: theirCPU, p90: .nan, p99: .nan,
                                      ratio: "baseline", target: ""))
        }
        return ([], derived)
    }

    /// Sends the workload on one reliable ordered channel, keeping at most 1 MiB buffered (the
    /// back-pressure a real sender applies), and pumps until the last message arrives.
    static func measure(_ workload: Workload) throws -> (messagesPerSecond: Double, cpuPerMessage: Double) {
        let pair = try DataPair()
        let payload = [UInt8](repeating: 0x5A, count: workload.size)
        let wallStart = ContinuousClock.now
        let cpuStart = CPUClock.thread()
        var sent = 0
        while pair.received < workload.count {
            while sent < workload.count,
                  (pair.sender.dataChannel(pair.channel)?.bufferedAmount ?? 0) < 1 << 20 {
                try pair.sender.sendData(.binary(payload), on: pair.channel, now: pair.now)
                sent += 1
            }
            guard pair.step() else { throw BenchFailure("the data pair stalled at \(pair.received) of \(workload.count)") }
        }
        let cpu = CPUClock.thread() - cpuStart
        let wall = (ContinuousClock.now - wallStart).benchSeconds
        return (Double(workload.count) / wall, cpu / Double(workload.count))
    }
}

/// Two data-only connections, DTLS-keyed and SCTP-associated in memory, one open channel.
private final class DataPair {
    let sender: PeerConnection
    let receiver: PeerConnection
    let senderAddress = TransportAddress(host: "10.0.0.1", port: 5000)!
    let receiverAddress = TransportAddress(host: "10.0.0.2", port: 6000)!
    private(set) var now = ContinuousClock.now
    let channel: PeerConnection.DataChannelID
    private(set) var received = 0
    private var opened = false

    init() throws {
        sender = PeerConnection(certificate: try DTLSCertificate())
        receiver = PeerConnection(certificate: try DTLSCertificate())
        sender.addLocalHostCandidate(senderAddress)
        receiver.addLocalHostCandidate(receiverAddress)
        channel = try sender.createDataChannel(.init(label: "bench"), now: now)
        try receiver.setRemoteDescription(try sender.createOffer(), type: .offer, now: now)
        try sender.setRemoteDescription(try receiver.createAnswer(), type: .answer, now: now)
        let deadline = now + .seconds(20)
        while !opened {
            guard now < deadline else { throw BenchFailure("the data pair did not open its channel") }
            _ = step()
        }
        received = 0
    }

    /// Moves every pending datagram across; when nothing moved, advances the clock to the next
    /// deadline (delayed SACKs) and fires it. False when neither has anything to do.
    func step() -> Bool {
        var moved = false
        for (from, to) in [(sender, receiver), (receiver, sender)] {
            while let output = from.pollOutput() {
                switch output {
                case .transmit(let bytes, let source, let destination):
                    moved = true
                    to.handle(.datagram(bytes, from: source, to: destination), now: now)
                case .event(.dataChannelOpened(let channel)) where !channel.remote:
                    opened = true
                case .event(.dataChannelMessage):
                    received += 1
                default:
                    break
                }
            }
        }
        if moved { return true }
        let deadlines = [sender.nextDeadline, receiver.nextDeadline].compactMap { $0 }
        guard let next = deadlines.min() else { return false }
        now = max(now, next)
        for connection in [sender, receiver] where (connection.nextDeadline ?? now) <= now {
            connection.handle(.timeout, now: now)
        }
        return true
    }
}
