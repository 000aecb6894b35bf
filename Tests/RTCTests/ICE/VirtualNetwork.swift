import TestSupport
@testable import RTC

/// An in-memory UDP network for ICE agents on a virtual clock: it carries `.transmit` outputs to the
/// agent owning the destination, with latency, seeded random loss, optional NAT mappings, silenced
/// peers and a built-in STUN server.
final class VirtualNetwork {
    struct Packet {
        let at: ContinuousClock.Instant
        let bytes: [UInt8]
        let from: TransportAddress
        let to: TransportAddress
    }

    let start = ContinuousClock.now
    private(set) var now: ContinuousClock.Instant
    private(set) var agents: [ICEAgent] = []
    /// Every event per agent, with the virtual instant it was polled.
    private(set) var events: [[(at: ContinuousClock.Instant, event: ICEEvent)]] = []
    private var owner: [TransportAddress: Int] = [:]
    /// private → public source rewriting and public → private delivery (a full-cone NAT).
    private var natOutbound: [TransportAddress: TransportAddress] = [:]
    private var natInbound: [TransportAddress: TransportAddress] = [:]
    private var inFlight: [Packet] = []
    private var wakeUps: [Int: ContinuousClock.Instant] = [:]
    private var rng: SplitMix64
    var lossRate = 0.0
    var latency: Duration = .milliseconds(5)
    /// Agents that neither send, receive nor run (a crashed or vanished peer).
    var silenced: Set<Int> = []
    var stunServers: Set<TransportAddress> = []
    private(set) var dropped = 0

    init(seed: UInt64 = 1) {
        now = start
        rng = SplitMix64(seed: seed)
    }

    /// Adds an agent owning `host`; a `publicAddress` puts it behind a NAT.
    @discardableResult
    func add(_ agent: ICEAgent, host: TransportAddress, publicAddress: TransportAddress? = nil) -> Int {
        let index = agents.count
        agents.append(agent)
        events.append([])
        owner[host] = index
        if let publicAddress {
            natOutbound[host] = publicAddress
            natInbound[publicAddress] = host
        }
        agent.addLocalHostCandidate(host)
        return index
    }

    /// Offer/answer in one direction: `to` learns `from`'s credentials and (optionally) candidates.
    func signal(from: Int, to: Int, candidates: Bool = true) {
        agents[to].setRemoteCredentials(agents[from].localCredentials)
        if candidates { for candidate in agents[from].localCandidates { agents[to].addRemoteCandidate(candidate) } }
    }

    func eventList(_ index: Int) -> [ICEEvent] { events[index].map(\.event) }

    func states(_ index: Int) -> [ICEConnectionState] {
        eventList(index).compactMap { if case .connectionStateChanged(let state) = $0 { state } else { nil } }
    }

    /// Runs the network until `stop` holds or `duration` of virtual time passes; returns `stop()`.
    @discardableResult
    func run(for duration: Duration, until stop: () -> Bool = { false }) -> Bool {
        let end = now + duration
        for index in agents.indices where !silenced.contains(index) { agents[index].handle(.timeout, now: now) }
        for _ in 0..<2_000_000 {
            for index in agents.indices where !silenced.contains(index) { drain(index) }
            if stop() { return true }
            let next = (inFlight.map(\.at) + wakeUps.filter { !silenced.contains($0.key) }.map(\.value)).min()
            guard let next, next <= end else {
                now = end
                return stop()
            }
            now = max(now, next)
            let due = inFlight.filter { $0.at <= now }
            inFlight.removeAll { $0.at <= now }
            for packet in due { deliver(packet) }
            for (index, wake) in wakeUps where wake <= now && !silenced.contains(index) {
                wakeUps[index] = nil
                agents[index].handle(.timeout, now: now)
            }
        }
        return false
    }

    private func drain(_ index: Int) {
        wakeUps[index] = nil
        while let output = agents[index].pollOutput() {
            switch output {
            case .transmit(let bytes, let from, let to):
                send(bytes, from: from, to: to)
            case .event(let event):
                events[index].append((now, event))
            }
        }
        wakeUps[index] = agents[index].nextDeadline
    }

    private func send(_ bytes: [UInt8], from: TransportAddress, to: TransportAddress) {
        if lossRate > 0, Double.random(in: 0..<1, using: &rng) < lossRate {
            dropped += 1
            return
        }
        let source = natOutbound[from] ?? from
        if stunServers.contains(to), let reply = stunServerReply(to: bytes, source: source) {
            inFlight.append(Packet(at: now + latency * 2, bytes: reply, from: to, to: from))
            return
        }
        inFlight.append(Packet(at: now + latency, bytes: bytes, from: source, to: natInbound[to] ?? to))
    }

    private func deliver(_ packet: Packet) {
        guard let index = owner[packet.to], !silenced.contains(index) else { return }
        agents[index].handle(.datagram(packet.bytes, from: packet.from, to: packet.to), now: now)
    }

    private func stunServerReply(to bytes: [UInt8], source: TransportAddress) -> [UInt8]? {
        guard let request = try? STUNMessage(parsing: bytes), request.messageClass == .request else { return nil }
        let response = STUNMessage(
            messageClass: .successResponse, transactionID: request.transactionID,
            attributes: [.xorMappedAddress(source)])
        return try? response.encoded(fingerprint: true)
    }
}

/// Test addresses.
enum Net {
    static func address(_ host: String, _ port: UInt16) -> TransportAddress {
        TransportAddress(host: host, port: port)!
    }
}
