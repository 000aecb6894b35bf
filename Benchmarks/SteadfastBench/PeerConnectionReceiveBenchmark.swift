import Foundation
import RTC

/// 4b. The whole `PeerConnection` receive call per RTP packet, in steady state, between two real
/// connections negotiated and DTLS-keyed in memory: the owned-array input (`handle(.datagram)`)
/// against the borrowed-buffer input (`handleDatagram`) that a UDP driver reading into reused
/// buffers uses. Allocations are counted around the receive call alone; jitter pops, events and
/// the sender run outside the counted region.
enum PeerConnectionReceiveBenchmark {
    static let name = "4b. PeerConnection receive"

    /// `bareAllocations`: bare libsrtp's allocation calls per profile over the same number of packets
    /// (from benchmark 4), so the connection's own share is visible.
    static func run(_ options: BenchOptions, bareAllocations: [SRTPProfile: UInt64?]) throws
        -> (rows: [ResultRow], derived: [DerivedRow]) {
        let (warmup, counted) = (options.warmup(500), options.iterations(10_000))
        let frames = try MediaFixtures.opusPackets(count: 500)
        var rows: [ResultRow] = []
        var derived: [DerivedRow] = []
        for profile in ReceivePathBenchmark.profiles {
            var owned = Samples()
            for borrowed in [false, true] {
                progress("\(name), \(profile), \(borrowed ? "borrowed buffer" : "owned array"): \(warmup) warm-up, "
                    + "\(counted) counted packets")
                let result = try measure(profile: profile, borrowed: borrowed, frames: frames, warmup: warmup,
                                         counted: counted)
                let label = borrowed ? "`handleDatagram` (borrowed buffer, in-place decrypt)"
                    : "`handle(.datagram(Array(bytes)))` (owned array)"
                if borrowed {
                    rows.append(ResultRow(benchmark: name, scenario: "**Receive call**: \(label), \(profile)",
                                          samples: result.samples, baseline: owned, target: "< 10 µs",
                                          limit: .microseconds(10)))
                } else {
                    owned = result.samples
                    rows.append(ResultRow(benchmark: name, scenario: "Baseline: \(label), \(profile)",
                                          samples: result.samples))
                }
                derived.append(AllocationCounter.row(
                    benchmark: name, scenario: "Heap allocations per packet: \(label), \(profile)", packets: counted,
                    allocations: result.allocations, baseline: ("bare libsrtp", bareAllocations[profile] ?? nil)))
            }
        }
        return (rows, derived)
    }

    private static func measure(profile: SRTPProfile, borrowed: Bool, frames: [[UInt8]], warmup: Int,
                                counted: Int) throws -> (samples: Samples, allocations: UInt64?) {
        let pair = try ConnectedPair(profile: profile)
        var samples = Samples()
        var allocations: UInt64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 8)
        defer { buffer.deallocate() }
        var now = pair.now
        for index in 0..<(warmup + counted) {
            now += .milliseconds(20)
            guard let datagram = pair.nextDatagram(frames[index % frames.count], now: now) else {
                throw BenchFailure("the sender produced no RTP packet")
            }
            datagram.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
            let view = UnsafeRawBufferPointer(rebasing: buffer[0..<datagram.bytes.count])
            let before = AllocationCounter.count()
            let start = ContinuousClock.now
            if borrowed {
                pair.receiver.handleDatagram(view, from: datagram.from, to: datagram.to, now: now)
            } else {
                pair.receiver.handle(.datagram(Array(view), from: datagram.from, to: datagram.to), now: now)
            }
            let elapsed = ContinuousClock.now - start
            let after = AllocationCounter.count()
            if index >= warmup {
                samples.add(elapsed)
                if let before, let after { allocations += after - before }
            }
            pair.drainReceiver(now: now)
        }
        let received = pair.receiver.statistics.packetsReceived
        guard received == warmup + counted else {
            throw BenchFailure("the receiver accepted \(received) of \(warmup + counted) packets")
        }
        guard pair.receiver.statistics.srtpProfile == profile else {
            throw BenchFailure("negotiated \(String(describing: pair.receiver.statistics.srtpProfile)), not \(profile)")
        }
        return (samples, AllocationCounter.isAvailable ? allocations : nil)
    }
}

/// Two connections with a send track each, negotiated and connected over an in-memory link.
private final class ConnectedPair {
    let sender: PeerConnection
    let receiver: PeerConnection
    let senderAddress = TransportAddress(host: "10.0.0.1", port: 5000)!
    let receiverAddress = TransportAddress(host: "10.0.0.2", port: 6000)!
    private(set) var now = ContinuousClock.now

    init(profile: SRTPProfile) throws {
        var configuration = PeerConnection.Configuration()
        configuration.srtpProfiles = [profile]
        sender = PeerConnection(configuration: configuration, certificate: try DTLSCertificate())
        receiver = PeerConnection(configuration: configuration, certificate: try DTLSCertificate())
        sender.addLocalHostCandidate(senderAddress)
        receiver.addLocalHostCandidate(receiverAddress)
        sender.addSendTrack()
        receiver.addSendTrack()
        let offer = try sender.createOffer()
        try receiver.setRemoteDescription(offer, type: .offer, now: now)
        try sender.setRemoteDescription(try receiver.createAnswer(), type: .answer, now: now)
        let deadline = now + .seconds(10)
        while sender.state != .connected || receiver.state != .connected {
            guard now < deadline else { throw BenchFailure("the pair did not connect") }
            pump()
            now += .milliseconds(10)
            for connection in [sender, receiver] where (connection.nextTimeout ?? now) <= now {
                connection.handle(.timeout, now: now)
            }
        }
        pump()
    }

    /// Moves every pending datagram across until both sides are quiet.
    private func pump() {
        var moved = true
        while moved {
            moved = false
            for (from, to) in [(sender, receiver), (receiver, sender)] {
                while let output = from.pollOutput() {
                    guard case .transmit(let bytes, let source, let destination) = output else { continue }
                    moved = true
                    to.handle(.datagram(bytes, from: source, to: destination), now: now)
                }
            }
        }
    }

    /// The sender's next RTP packet for `frame`; anything else it sends is delivered directly.
    func nextDatagram(_ frame: [UInt8], now: ContinuousClock.Instant) -> (bytes: [UInt8], from: TransportAddress, to: TransportAddress)? {
        self.now = now
        if (sender.nextTimeout ?? now) <= now { sender.handle(.timeout, now: now) }
        sender.sendAudio(frame, now: now)
        var packet: (bytes: [UInt8], from: TransportAddress, to: TransportAddress)?
        while let output = sender.pollOutput() {
            guard case .transmit(let bytes, let from, let to) = output else { continue }
            if packet == nil, MultiplexedPacketKind(classifying: bytes[...]) == .rtp {
                packet = (bytes, from, to)
            } else {
                receiver.handle(.datagram(bytes, from: from, to: to), now: now)
            }
        }
        return packet
    }

    /// Timers (playout, RTCP) and outputs of the receiver, outside the measured call.
    /// (Consent checks must keep flowing both ways, or the link would expire after 30 s of virtual time.)
    func drainReceiver(now: ContinuousClock.Instant) {
        for connection in [sender, receiver] where (connection.nextTimeout ?? now) <= now {
            connection.handle(.timeout, now: now)
        }
        pump()
    }
}
