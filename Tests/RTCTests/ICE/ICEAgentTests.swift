@testable import RTC
import Testing

@Suite("ICE agent, two peers on a virtual network")
struct ICEAgentTests {
    static let hostA = Net.address("10.0.0.1", 1000)
    static let hostB = Net.address("10.0.0.2", 2000)

    /// Two full agents with both sides' credentials and candidates signalled.
    static func pair(
        roleA: ICERole = .controlling, roleB: ICERole = .controlled, tieA: UInt64 = 1, tieB: UInt64 = 2,
        seed: UInt64 = 1, configuration: ICEConfiguration = ICEConfiguration()
    ) -> VirtualNetwork {
        let network = VirtualNetwork(seed: seed)
        network.add(ICEAgent(role: roleA, tieBreaker: tieA, configuration: configuration), host: hostA)
        network.add(ICEAgent(role: roleB, tieBreaker: tieB, configuration: configuration), host: hostB)
        network.signal(from: 0, to: 1)
        network.signal(from: 1, to: 0)
        return network
    }

    static func bothCompleted(_ network: VirtualNetwork) -> Bool {
        network.agents.allSatisfy { $0.state == .completed }
    }

    @Test func controllingAndControlledConnectAndNominate() throws {
        let network = Self.pair()
        #expect(network.run(for: .seconds(5)) { Self.bothCompleted(network) })
        let a = network.agents[0], b = network.agents[1]
        #expect(a.selectedPair?.local == Self.hostA && a.selectedPair?.remote == Self.hostB)
        #expect(b.selectedPair?.local == Self.hostB && b.selectedPair?.remote == Self.hostA)
        #expect(network.states(0) == [.checking, .connected, .completed])
        #expect(network.states(1).last == .completed)
        #expect(network.eventList(0).contains(.selectedPairChanged(local: Self.hostA, remote: Self.hostB)))
        #expect(a.role == .controlling && b.role == .controlled)
        #expect(a.statistics.malformedDatagrams == 0 && b.statistics.unauthenticatedMessages == 0)
    }

    /// The answerer facing an ice-lite offerer must control and nominate (RFC 8445 §6.1.1, str0m#519).
    @Test func fullAgentControlsAgainstALiteRemote() {
        var lite = ICEConfiguration()
        lite.isLite = true
        let network = VirtualNetwork()
        let full = ICEAgent(role: .controlled, tieBreaker: 1)
        network.add(full, host: Self.hostA)
        network.add(ICEAgent(role: .controlling, tieBreaker: 2, configuration: lite), host: Self.hostB)
        full.remoteIsLite = true
        #expect(full.role == .controlling)
        #expect(network.agents[1].role == .controlled)
        network.signal(from: 0, to: 1, candidates: false)  // a lite agent needs no remote candidates
        network.signal(from: 1, to: 0)
        #expect(network.run(for: .seconds(5)) { Self.bothCompleted(network) })
        #expect(network.agents[1].statistics.checksSent == 0)
        #expect(network.agents[1].selectedPair?.remote == Self.hostA)
        #expect(full.selectedPair?.remote == Self.hostB)
    }

    @Test(arguments: [ICERole.controlling, .controlled])
    func roleConflictIsResolvedByTieBreaker(bothAs role: ICERole) {
        let network = Self.pair(roleA: role, roleB: role, tieA: 10, tieB: 99)
        #expect(network.run(for: .seconds(5)) { Self.bothCompleted(network) })
        // The larger tie-breaker controls.
        #expect(network.agents[1].role == .controlling)
        #expect(network.agents[0].role == .controlled)
        #expect(network.agents[0].statistics.roleConflicts + network.agents[1].statistics.roleConflicts > 0)
    }

    /// B sits behind a NAT and never signals candidates: A learns B's public address from B's checks.
    @Test func peerReflexiveCandidateFromUnsignalledSource() {
        let network = VirtualNetwork()
        let publicB = Net.address("203.0.113.2", 40000)
        network.add(ICEAgent(role: .controlling, tieBreaker: 1), host: Self.hostA)
        network.add(ICEAgent(role: .controlled, tieBreaker: 2), host: Self.hostB, publicAddress: publicB)
        network.signal(from: 0, to: 1)
        network.signal(from: 1, to: 0, candidates: false)
        #expect(network.run(for: .seconds(5)) { Self.bothCompleted(network) })
        let a = network.agents[0]
        #expect(a.remoteCandidates.map(\.kind) == [.prflx])
        #expect(a.remoteCandidates.first?.address == publicB)
        #expect(a.selectedPair?.remote == publicB)
    }

    @Test func trickledCandidatesArrivingLateStillConnect() {
        let network = VirtualNetwork()
        network.add(ICEAgent(role: .controlling, tieBreaker: 1), host: Self.hostA)
        network.add(ICEAgent(role: .controlled, tieBreaker: 2), host: Self.hostB)
        network.signal(from: 0, to: 1, candidates: false)
        network.signal(from: 1, to: 0, candidates: false)
        network.run(for: .seconds(2))
        #expect(network.agents.allSatisfy { $0.state == .new && $0.selectedPair == nil })
        // Only one direction trickles; the other side learns the peer from its checks.
        for candidate in network.agents[1].localCandidates { network.agents[0].addRemoteCandidate(candidate) }
        network.agents[0].remoteEndOfCandidates()
        #expect(network.run(for: .seconds(5)) { Self.bothCompleted(network) })
    }

    @Test(arguments: [UInt64(11), 22, 33, 44])
    func tenPercentLossStillConnects(seed: UInt64) {
        let network = Self.pair(seed: seed)
        network.lossRate = 0.10
        #expect(network.run(for: .seconds(20)) { Self.bothCompleted(network) })
        network.run(for: .seconds(40))
        #expect(network.dropped > 0)
        // Consent survives 10 % loss: one answered request in 30 s is enough.
        #expect(network.agents.allSatisfy { $0.state == .completed || $0.state == .connected })
    }

    @Test func consentExpiresWhenThePeerGoesSilent() throws {
        let network = Self.pair()
        #expect(network.run(for: .seconds(5)) { Self.bothCompleted(network) })
        let silencedAt = network.now
        network.silenced = [1]
        network.run(for: .seconds(40))
        let a = network.agents[0]
        #expect(a.state == .failed)
        #expect(a.selectedPair == nil)
        #expect(network.states(0).suffix(2) == [.disconnected, .failed])
        let failedAt = try #require(network.events[0].last { $0.event == .connectionStateChanged(.failed) }?.at)
        // Consent was last refreshed at most one 6 s interval before the silence began.
        #expect(failedAt - silencedAt >= .seconds(24) && failedAt - silencedAt <= .seconds(31))
        let disconnectedAt = try #require(
            network.events[0].last { $0.event == .connectionStateChanged(.disconnected) }?.at)
        #expect(disconnectedAt < failedAt)
    }

    @Test func consentKeepsThePairAliveForAMinute() {
        let network = Self.pair()
        #expect(network.run(for: .seconds(5)) { Self.bothCompleted(network) })
        let eventsBefore = network.events.map(\.count)
        network.run(for: .seconds(60))
        for index in 0..<2 {
            let later = network.events[index].dropFirst(eventsBefore[index]).map(\.event)
            #expect(later.isEmpty, "no state or pair change while consent is answered: \(later)")
            #expect(network.agents[index].state == .completed)
            #expect(network.agents[index].statistics.consentRequestsSent >= 9)
        }
    }

    @Test func iceRestartKeepsTheOldPathThenSelectsTheNewGeneration() {
        let network = Self.pair()
        #expect(network.run(for: .seconds(5)) { Self.bothCompleted(network) })
        let oldA = network.agents[0].localCredentials
        network.agents[0].restart()
        network.agents[1].restart()
        #expect(network.agents[0].localCredentials != oldA)
        #expect(network.agents[0].selectedPair?.remote == Self.hostB, "media keeps flowing during the restart")
        let mark = network.events.map(\.count)
        network.signal(from: 0, to: 1)
        network.signal(from: 1, to: 0)
        let reselected = network.run(for: .seconds(5)) {
            (0..<2).allSatisfy { index in
                network.events[index].dropFirst(mark[index]).contains {
                    if case .selectedPairChanged = $0.event { true } else { false }
                }
            } && Self.bothCompleted(network)
        }
        #expect(reselected)
        network.run(for: .seconds(40))
        #expect(Self.bothCompleted(network), "consent works with the new credentials")
    }

    @Test func iceRestartRecoversAfterConsentFailure() {
        let network = Self.pair()
        #expect(network.run(for: .seconds(5)) { Self.bothCompleted(network) })
        network.silenced = [1]
        network.run(for: .seconds(40))
        #expect(network.agents[0].state == .failed)
        network.silenced = []
        network.agents[0].restart()
        network.agents[1].restart()
        #expect(network.agents[0].state == .new)
        network.signal(from: 0, to: 1)
        network.signal(from: 1, to: 0)
        #expect(network.run(for: .seconds(5)) { Self.bothCompleted(network) })
        #expect(network.agents[0].selectedPair?.remote == Self.hostB)
    }

    @Test func serverReflexiveCandidateIsGatheredFromAStunServer() throws {
        var configuration = ICEConfiguration()
        let server = Net.address("198.51.100.1", 3478)
        configuration.stunServers = [server]
        let network = VirtualNetwork()
        network.stunServers = [server]
        let publicA = Net.address("203.0.113.9", 61000)
        network.add(
            ICEAgent(role: .controlling, configuration: configuration), host: Self.hostA, publicAddress: publicA)
        #expect(network.run(for: .seconds(2)) { network.eventList(0).contains(.gatheringComplete) })
        let gathered = try #require(network.eventList(0).compactMap { event -> ICECandidate? in
            if case .localCandidateGathered(let candidate) = event { candidate } else { nil }
        }.first)
        #expect(gathered.kind == .srflx && gathered.address == publicA && gathered.relatedAddress == Self.hostA)
        #expect(network.agents[0].localCandidates.count == 2)
    }

    @Test func gatheringCompletesWhenTheStunServerNeverAnswers() {
        var configuration = ICEConfiguration()
        configuration.stunServers = [Net.address("198.51.100.1", 3478), Net.address("2001:db8::1", 3478)]
        let network = VirtualNetwork()
        network.add(ICEAgent(role: .controlling, configuration: configuration), host: Self.hostA)
        #expect(network.run(for: .seconds(30)) { network.eventList(0).contains(.gatheringComplete) })
        #expect(network.agents[0].localCandidates.map(\.kind) == [.host])
        #expect(network.agents[0].transactions.isEmpty)
    }

    /// IPv6 end to end (XOR-MAPPED-ADDRESS with the transaction ID in the mask), beside an IPv4
    /// host that must not be paired across families.
    @Test func connectsOverIPv6WithoutCrossFamilyPairs() {
        let network = VirtualNetwork()
        let v6A = Net.address("2001:db8::a", 1000)
        let v6B = Net.address("2001:db8::b", 2000)
        network.add(ICEAgent(role: .controlling, tieBreaker: 1), host: v6A)
        network.add(ICEAgent(role: .controlled, tieBreaker: 2), host: v6B)
        network.agents[0].addLocalHostCandidate(Self.hostA)
        network.signal(from: 0, to: 1)
        network.signal(from: 1, to: 0)
        #expect(network.run(for: .seconds(5)) { Self.bothCompleted(network) })
        #expect(network.agents[0].selectedPair?.local == v6A && network.agents[0].selectedPair?.remote == v6B)
        #expect(network.agents[1].pairs.keys.allSatisfy { $0.local.isIPv6 && $0.remote.isIPv6 })
    }

    @Test func unreachablePeerFailsAfterEndOfCandidates() {
        let network = Self.pair()
        network.silenced = [1]
        network.agents[0].remoteEndOfCandidates()
        network.run(for: .seconds(40))
        #expect(network.states(0) == [.checking, .failed])
        #expect(network.agents[0].selectedPair == nil)
    }
}
