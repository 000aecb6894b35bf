import Audio
import Foundation
import TestSupport
import Testing
@testable import RTC

/// Two Steadfast peer connections wired back to back in one process: a virtual clock, an
/// in-memory network with seeded loss and reordering, and real DTLS, SRTP and Opus.
struct LoopbackNetwork {
    struct Datagram { var bytes: [UInt8]; var from: TransportAddress; var to: TransportAddress; var due: ContinuousClock.Instant }

    var lossRate = 0.0
    var reorderRate = 0.0
    var delay: Duration = .milliseconds(5)
    var random = SplitMix64(seed: 7)
    private(set) var inFlight: [Datagram] = []
    private(set) var dropped = 0

    mutating func send(_ bytes: [UInt8], from: TransportAddress, to: TransportAddress, now: ContinuousClock.Instant) {
        if random.nextUnitInterval() < lossRate { dropped += 1; return }
        // A reordered datagram is held back one extra frame so later ones overtake it.
        let extra: Duration = random.nextUnitInterval() < reorderRate ? .milliseconds(25) : .zero
        inFlight.append(Datagram(bytes: bytes, from: from, to: to, due: now + delay + extra))
    }

    mutating func deliverable(at now: ContinuousClock.Instant) -> [Datagram] {
        let ready = inFlight.filter { $0.due <= now }.sorted { $0.due < $1.due }
        inFlight.removeAll { $0.due <= now }
        return ready
    }

    var nextDue: ContinuousClock.Instant? { inFlight.map(\.due).min() }
}


/// Drives both connections and the network on one virtual timeline.
final class LoopbackHarness {
    let offerer: PeerConnection
    let answerer: PeerConnection
    let offererAddress = TransportAddress(host: "10.0.0.1", port: 5000)!
    let answererAddress = TransportAddress(host: "10.0.0.2", port: 6000)!
    var network = LoopbackNetwork()
    var now = ContinuousClock.now
    var events: [(side: String, event: PeerConnection.Event)] = []
    /// OpenSSL times DTLS retransmissions on the wall clock; tests of DTLS loss let real time pass
    /// alongside virtual time (capped per step) so those timers can fire.
    var sleepsRealTime = false

    init(offererConfiguration: PeerConnection.Configuration = .init(),
         answererConfiguration: PeerConnection.Configuration = .init()) throws {
        offerer = PeerConnection(configuration: offererConfiguration, certificate: try DTLSCertificate())
        answerer = PeerConnection(configuration: answererConfiguration, certificate: try DTLSCertificate())
        offerer.addLocalHostCandidate(offererAddress)
        answerer.addLocalHostCandidate(answererAddress)
    }

    func negotiate() throws {
        let offer = try offerer.createOffer()
        try answerer.setRemoteDescription(offer, type: .offer, now: now)
        let answer = try answerer.createAnswer()
        try offerer.setRemoteDescription(answer, type: .answer, now: now)
        pump()
    }

    /// Moves outputs onto the network and delivers what is due, until nothing changes.
    func pump() {
        var progressed = true
        while progressed {
            progressed = false
            for (name, connection) in [("offerer", offerer), ("answerer", answerer)] {
                while let output = connection.pollOutput() {
                    progressed = true
                    switch output {
                    case .transmit(let bytes, let from, let to): network.send(bytes, from: from, to: to, now: now)
                    case .event(let event): events.append((name, event))
                    }
                }
            }
            for datagram in network.deliverable(at: now) {
                progressed = true
                let target = datagram.to == offererAddress ? offerer : answerer
                target.handle(.datagram(datagram.bytes, from: datagram.from, to: datagram.to), now: now)
            }
        }
    }

    /// Advances virtual time to `until`, firing timers and deliveries in order.
    func run(until end: ContinuousClock.Instant, every tick: ((ContinuousClock.Instant) -> Void)? = nil,
             tickInterval: Duration = .milliseconds(20)) {
        var nextTick = now
        while now < end {
            let candidates = [offerer.nextDeadline, answerer.nextDeadline, network.nextDue,
                              tick == nil ? nil : nextTick, end].compactMap { $0 }
            let next = max(now, candidates.min() ?? end)
            if sleepsRealTime, next > now { Thread.sleep(forTimeInterval: min(0.05, Double((next - now).components.seconds) + Double((next - now).components.attoseconds) / 1e18)) }
            now = next
            if let tick, now >= nextTick {
                tick(now)
                nextTick += tickInterval
            }
            for connection in [offerer, answerer] where (connection.nextDeadline ?? end) <= now {
                connection.handle(.timeout, now: now)
            }
            pump()
        }
    }

    func audio(for side: String) -> [JitterBuffer.Output] {
        events.compactMap { entry in
            guard entry.side == side, case .audio(_, let slot) = entry.event else { return nil }
            return slot
        }
    }
}

@Suite("PeerConnection back to back (virtual clock)")
struct PeerConnectionLoopbackTests {
    static func tone(milliseconds: Int) -> [AudioFrame] {
        let samples = (0..<(48 * milliseconds)).map { Float(0.3 * sin(2 * Double.pi * 440 * Double($0) / 48_000)) }
        return AudioFrame(floatSamples: samples).chunked(milliseconds: 20)
    }

    /// Distinct stand-in payloads (Opus itself is exercised in the loss test and the interop suite).
    static func payloads(count: Int) -> [[UInt8]] {
        (0..<count).map { index in [0x78] + (0..<60).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) } }
    }

    @Test func connectsAndCarriesAudioBothWays() throws {
        let harness = try LoopbackHarness()
        harness.offerer.addSendTrack()
        harness.answerer.addSendTrack()
        try harness.negotiate()
        harness.run(until: harness.now + .seconds(2))
        #expect(harness.offerer.state == .connected)
        #expect(harness.answerer.state == .connected)
        #expect(harness.offerer.statistics.srtpProfile != nil)

        let frames = Self.payloads(count: 100)
        var index = 0
        harness.run(until: harness.now + .seconds(3), every: { now in
            guard index < frames.count else { return }
            let packet = frames[index]
            harness.offerer.sendAudio(packet, now: now)
            harness.answerer.sendAudio(packet, now: now)
            index += 1
        })
        #expect(harness.offerer.statistics.packetsSent == frames.count)
        #expect(harness.answerer.statistics.packetsReceived == frames.count)
        #expect(harness.offerer.statistics.packetsReceived == frames.count)
        let played = harness.audio(for: "answerer").filter { if case .frame = $0 { true } else { false } }
        #expect(played.count >= frames.count - 2)
        #expect(harness.events.contains { if case .trackAdded = $0.event { $0.side == "answerer" } else { false } })
    }

    /// 10 % loss plus reordering: every playout slot still yields a frame (decoded, FEC-recovered or
    /// concealed), so the decoded audio never has a gap longer than one frame.
    @Test func lossAndReorderingAreConcealedWithoutGaps() throws {
        let harness = try LoopbackHarness()
        harness.offerer.addSendTrack()
        try harness.negotiate()
        harness.run(until: harness.now + .seconds(2))
        try #require(harness.offerer.state == .connected)
        harness.network.lossRate = 0.10
        harness.network.reorderRate = 0.10

        var opus = OpusEncoder.Configuration()
        opus.inBandFEC = true
        opus.expectedPacketLossPercent = 15
        let encoder = try OpusEncoder(configuration: opus)
        let decoder = try OpusDecoder()
        let frames = Self.tone(milliseconds: 4000)
        var index = 0
        let before = harness.audio(for: "answerer").count
        harness.run(until: harness.now + .seconds(5), every: { now in
            guard index < frames.count, let packet = try? encoder.encode(frames[index]) else { return }
            harness.offerer.sendAudio(packet, now: now)
            index += 1
        })
        let slots = Array(harness.audio(for: "answerer").dropFirst(before))
        #expect(harness.network.dropped > 0)
        var recovered = 0
        var concealed = 0
        var decodedFrames: [AudioFrame] = []
        for slot in slots {
            switch slot {
            case .frame(let payload, _, _):
                decodedFrames.append(try decoder.decode(Array(payload)))
            case .missing(_, let fec):
                if let fec {
                    decodedFrames.append(try decoder.recoverFromFEC(nextPacket: Array(fec)))
                    recovered += 1
                } else {
                    decodedFrames.append(try decoder.concealLoss())
                    concealed += 1
                }
            }
        }
        #expect(recovered > 0, "in-band FEC should recover some losses")
        // Every 20 ms slot produced audio: no gap longer than one frame, and no silent frame mid-stream.
        #expect(decodedFrames.allSatisfy { $0.samplesPerChannel == 960 })
        let middle = decodedFrames.dropFirst(5).dropLast(10)
        #expect(middle.allSatisfy { $0.levelDBFS > -40 }, "a decoded frame fell silent")
        #expect(slots.count >= frames.count - 10)
    }

    @Test func dtlsHandshakeSurvivesLoss() throws {
        var configuration = PeerConnection.Configuration()
        configuration.dtlsRetransmitTimeout = .milliseconds(40)
        let harness = try LoopbackHarness(offererConfiguration: configuration, answererConfiguration: configuration)
        harness.sleepsRealTime = true
        harness.network.lossRate = 0.3
        try harness.negotiate()
        harness.run(until: harness.now + .seconds(10))
        #expect(harness.offerer.state == .connected)
        #expect(harness.answerer.state == .connected)
    }

    @Test func renegotiationWithNewCredentialsRestartsICEAndKeepsMediaFlowing() throws {
        let harness = try LoopbackHarness()
        harness.offerer.addSendTrack()
        try harness.negotiate()
        harness.run(until: harness.now + .seconds(2))
        try #require(harness.answerer.state == .connected)
        harness.offerer.restartICE()
        try harness.negotiate()
        harness.run(until: harness.now + .seconds(3))
        #expect(harness.offerer.state == .connected)
        #expect(harness.answerer.state == .connected)
        let received = harness.answerer.statistics.packetsReceived
        let frames = Self.payloads(count: 25)
        var index = 0
        harness.run(until: harness.now + .seconds(1), every: { now in
            guard index < frames.count else { return }
            let packet = frames[index]
            harness.offerer.sendAudio(packet, now: now)
            index += 1
        })
        #expect(harness.answerer.statistics.packetsReceived - received == frames.count)
    }

    @Test func garbageDatagramsAreDroppedAndCounted() throws {
        let harness = try LoopbackHarness()
        try harness.negotiate()
        harness.run(until: harness.now + .seconds(2))
        var random = SplitMix64(seed: 99)
        for length in 0..<400 {
            var bytes = (0..<(length % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if !bytes.isEmpty { bytes[0] = [0, 1, 22, 23, 128, 129, 200, 255][length % 8] }
            harness.answerer.handle(.datagram(bytes, from: harness.offererAddress, to: harness.answererAddress),
                                    now: harness.now)
        }
        harness.pump()
        #expect(harness.answerer.state == .connected)
        #expect(harness.answerer.statistics.droppedDatagrams > 0)
    }
}
