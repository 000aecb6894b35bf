import SansIO
@testable import SCTP

/// Two associations wired back to back through a simulated link on a virtual clock: seeded loss,
/// delay with jitter (which reorders), and an optional packet filter.
final class BackToBack {
    typealias Instant = ContinuousClock.Instant

    struct InFlight {
        var at: Instant
        var order: Int
        var toB: Bool
        var bytes: [UInt8]
    }

    var a: SCTPAssociation
    var b: SCTPAssociation
    var now: Instant
    let start: Instant
    var link: [InFlight] = []
    var order = 0
    var lossRate: Double
    var delay: Duration
    var jitter: Duration
    var rng: SplitMix64
    /// Return false to drop a packet (after loss); `toB` says its direction.
    var filter: ((_ bytes: [UInt8], _ toB: Bool) -> Bool)?
    var eventsA: [SCTPAssociation.Event] = []
    var eventsB: [SCTPAssociation.Event] = []
    var packets = 0

    init(lossRate: Double = 0, delay: Duration = .milliseconds(10), jitter: Duration = .zero, seed: UInt64 = 1,
         configure: (inout SCTPAssociation.Configuration, _ isA: Bool) -> Void = { _, _ in }) {
        var configA = SCTPAssociation.Configuration(isDTLSClient: true, seed: seed &* 31 &+ 1)
        var configB = SCTPAssociation.Configuration(isDTLSClient: false, seed: seed &* 31 &+ 2)
        configure(&configA, true)
        configure(&configB, false)
        a = SCTPAssociation(configA)
        b = SCTPAssociation(configB)
        // Any instant will do as the origin: the cores only compare and add durations.
        start = ContinuousClock.Instant.now
        now = start
        self.lossRate = lossRate
        self.delay = delay
        self.jitter = jitter
        rng = SplitMix64(seed: seed)
    }

    var elapsed: Duration { now - start }

    func toA(_ input: SCTPAssociation.Input) { a.handle(input, now: now); drain() }
    func toB(_ input: SCTPAssociation.Input) { b.handle(input, now: now); drain() }

    func random() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

    func drain() {
        var progressed = true
        while progressed {
            progressed = false
            while let output = a.pollOutput() { progressed = true; route(output, fromA: true) }
            while let output = b.pollOutput() { progressed = true; route(output, fromA: false) }
        }
    }

    func route(_ output: SCTPAssociation.Output, fromA: Bool) {
        switch output {
        case .event(let event):
            if fromA { eventsA.append(event) } else { eventsB.append(event) }
        case .transmit(let bytes):
            packets += 1
            if lossRate > 0 && random() < lossRate { return }
            if let filter, !filter(bytes, fromA) { return }
            let extra = jitter == .zero ? Duration.zero : jitter * random()
            link.append(InFlight(at: now + delay + extra, order: order, toB: fromA, bytes: bytes))
            order += 1
        }
    }

    /// Runs the link and timers until `done` holds (true) or `limit` of virtual time passes or
    /// nothing is left to happen (false).
    func run(limit: Duration = .seconds(120), until done: (BackToBack) -> Bool) -> Bool {
        drain()
        while !done(self) {
            let nextPacket = link.min { ($0.at, $0.order) < ($1.at, $1.order) }?.at
            guard let next = [nextPacket, a.nextDeadline, b.nextDeadline].compactMap({ $0 }).min() else { return false }
            if next - start > limit { return false }
            if next > now { now = next }
            while let index = link.indices.filter({ link[$0].at <= now }).min(by: { (link[$0].at, link[$0].order) < (link[$1].at, link[$1].order) }) {
                let packet = link.remove(at: index)
                if packet.toB { b.handle(.packet(packet.bytes), now: now) } else { a.handle(.packet(packet.bytes), now: now) }
                drain()
            }
            if let deadline = a.nextDeadline, deadline <= now { a.handle(.timeout, now: now) }
            if let deadline = b.nextDeadline, deadline <= now { b.handle(.timeout, now: now) }
            drain()
        }
        return true
    }

    /// Both sides connect at once, as WebRTC peers do once DTLS is up.
    func connect() -> Bool {
        a.handle(.connect, now: now)
        b.handle(.connect, now: now)
        return run(limit: .seconds(60)) { $0.a.state == .established && $0.b.state == .established }
    }

    func messages(_ events: [SCTPAssociation.Event], channel: UInt16? = nil) -> [DataChannelMessage] {
        events.compactMap {
            if case .message(let id, let message) = $0, channel == nil || id == channel { return message }
            return nil
        }
    }

    func opened(_ events: [SCTPAssociation.Event]) -> [DataChannelInfo] {
        events.compactMap { if case .channelOpen(let info) = $0 { return info } else { return nil } }
    }

    func closed(_ events: [SCTPAssociation.Event]) -> [UInt16] {
        events.compactMap { if case .channelClosed(let id) = $0 { return id } else { return nil } }
    }

    func errors(_ events: [SCTPAssociation.Event]) -> [String] {
        events.compactMap { if case .error(let text) = $0 { return text } else { return nil } }
    }
}
