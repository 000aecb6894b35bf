@testable import RTC
import TestSupport
import Testing

/// Hostile and broken input to a single agent: dropped, counted, never a crash.
@Suite("ICE agent input validation")
struct ICEAgentInputTests {
    let host = Net.address("10.0.0.1", 1000)
    let peer = Net.address("10.0.0.2", 2000)
    let local = ICECredentials(usernameFragment: "locl", password: "local-password-0123456789")
    let remote = ICECredentials(usernameFragment: "remt", password: "remote-password-012345678")

    func makeAgent() -> ICEAgent {
        let agent = ICEAgent(localCredentials: local, role: .controlled, tieBreaker: 5)
        agent.addLocalHostCandidate(host)
        return agent
    }

    func drainTransmits(_ agent: ICEAgent) -> [[UInt8]] {
        var transmits: [[UInt8]] = []
        while let output = agent.pollOutput() {
            if case .transmit(let bytes, _, _) = output { transmits.append(bytes) }
        }
        return transmits
    }

    func request(username: String, key: String, fingerprint: Bool = true) throws -> [UInt8] {
        let message = STUNMessage(messageClass: .request, attributes: [
            .username(username), .priority(1_862_270_975), .iceControlling(77),
        ])
        return try message.encoded(integrityKey: Array(key.utf8), fingerprint: fingerprint)
    }

    @Test func answersAnAuthenticatedCheckWithASignedResponse() throws {
        let agent = makeAgent()
        let t0 = ContinuousClock.now
        agent.handle(.datagram(try request(username: "locl:remt", key: local.password), from: peer, to: host), now: t0)
        let transmits = drainTransmits(agent)
        let response = try STUNMessage(parsing: try #require(transmits.first))
        #expect(response.messageClass == .successResponse)
        #expect(response.xorMappedAddress == peer)
        #expect(response.hasValidIntegrity(key: Array(local.password.utf8)))
        #expect(response.hasValidFingerprint)
        #expect(agent.remoteCandidates.first?.kind == .prflx)
        #expect(agent.statistics.requestsAnswered == 1)
    }

    @Test func dropsAndCountsBadInput() throws {
        let agent = makeAgent()
        let t0 = ContinuousClock.now
        var generator = SplitMix64(seed: 99)
        var now = t0
        func feed(_ bytes: [UInt8], to: TransportAddress? = nil) {
            now = now + .milliseconds(1)
            agent.handle(.datagram(bytes, from: peer, to: to ?? host), now: now)
        }
        for _ in 0..<500 {
            let length = Int.random(in: 0...80, using: &generator)
            feed((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        let good = try request(username: "locl:remt", key: local.password)
        for length in 0..<good.count { feed(Array(good.prefix(length))) }
        #expect(agent.statistics.malformedDatagrams == 500 + good.count)

        feed(try request(username: "locl:remt", key: "wrong password"))
        feed(try request(username: "othr:remt", key: local.password))
        feed(try STUNMessage(messageClass: .request).encoded(fingerprint: true))  // no USERNAME at all
        #expect(agent.statistics.unauthenticatedMessages == 3)

        var badFingerprint = good
        badFingerprint[badFingerprint.count - 1] ^= 1
        feed(badFingerprint)
        #expect(agent.statistics.malformedDatagrams == 501 + good.count)

        feed(try STUNMessage(messageClass: .successResponse).encoded(integrityKey: [1], fingerprint: true))
        #expect(agent.statistics.unmatchedResponses == 1)

        feed(good, to: Net.address("10.9.9.9", 1))
        #expect(agent.statistics.unknownLocalAddress == 1)

        #expect(drainTransmits(agent).isEmpty, "nothing is answered")
        #expect(agent.state == .new && agent.remoteCandidates.isEmpty)
    }

    /// A forged response must not complete a check; the genuine one afterwards still does.
    @Test func forgedResponseDoesNotCancelTheRealTransaction() throws {
        let agent = makeAgent()
        agent.setRemoteCredentials(remote)
        agent.addRemoteCandidate(ICECandidate(foundation: "9", priority: 2_130_706_431, address: peer, kind: .host))
        let t0 = ContinuousClock.now
        agent.handle(.timeout, now: t0)
        let check = try STUNMessage(parsing: try #require(drainTransmits(agent).first))
        #expect(check.username == "remt:locl")
        #expect(check.iceControlled == 5)
        #expect(check.hasValidIntegrity(key: Array(remote.password.utf8)))

        let forged = STUNMessage(messageClass: .successResponse, transactionID: check.transactionID,
                                 attributes: [.xorMappedAddress(host)])
        agent.handle(.datagram(try forged.encoded(integrityKey: Array("guess".utf8), fingerprint: true),
                               from: peer, to: host), now: t0 + .milliseconds(10))
        #expect(agent.statistics.unauthenticatedMessages == 1)
        #expect(agent.selectedPair == nil)

        agent.handle(.datagram(try forged.encoded(integrityKey: Array(remote.password.utf8), fingerprint: true),
                               from: peer, to: host), now: t0 + .milliseconds(20))
        #expect(agent.selectedPair?.remote == peer)
        #expect(agent.state == .connected)
    }

    @Test func roleConflictAnswers487WhenWeKeepOurRole() throws {
        let agent = ICEAgent(localCredentials: local, role: .controlling, tieBreaker: .max)
        agent.addLocalHostCandidate(host)
        agent.handle(.datagram(try request(username: "locl:remt", key: local.password), from: peer, to: host),
                     now: ContinuousClock.now)
        let response = try STUNMessage(parsing: try #require(drainTransmits(agent).first))
        #expect(response.messageClass == .errorResponse)
        #expect(response.errorCode?.code == 487)
        #expect(agent.role == .controlling)

        let loser = ICEAgent(localCredentials: local, role: .controlling, tieBreaker: 1)
        loser.addLocalHostCandidate(host)
        loser.handle(.datagram(try request(username: "locl:remt", key: local.password), from: peer, to: host),
                     now: ContinuousClock.now)
        #expect(loser.role == .controlled)
        #expect(try STUNMessage(parsing: try #require(drainTransmits(loser).first)).messageClass == .successResponse)
    }

    /// RFC 8445 §7.3.1.5: a USE-CANDIDATE that arrives before our own check of the pair succeeded
    /// nominates the pair only once that triggered check succeeds.
    @Test func earlyNominationWaitsForOurOwnCheck() throws {
        let agent = makeAgent()
        agent.setRemoteCredentials(remote)
        let t0 = ContinuousClock.now
        let nominating = STUNMessage(messageClass: .request, attributes: [
            .username("locl:remt"), .priority(1_862_270_975), .iceControlling(77), .useCandidate,
        ])
        let bytes = try nominating.encoded(integrityKey: Array(local.password.utf8), fingerprint: true)
        agent.handle(.datagram(bytes, from: peer, to: host), now: t0)
        #expect(drainTransmits(agent).count == 1)  // the response
        #expect(agent.selectedPair == nil)

        agent.handle(.timeout, now: t0 + .milliseconds(1))
        let check = try STUNMessage(parsing: try #require(drainTransmits(agent).first))
        #expect(check.messageClass == .request && !check.useCandidate)
        let success = STUNMessage(messageClass: .successResponse, transactionID: check.transactionID,
                                  attributes: [.xorMappedAddress(host)])
        let reply = try success.encoded(integrityKey: Array(remote.password.utf8), fingerprint: true)
        agent.handle(.datagram(reply, from: peer, to: host), now: t0 + .milliseconds(20))
        #expect(agent.selectedPair?.remote == peer)
        #expect(agent.state == .completed)
    }

    @Test func pairPriorityFollowsRFC8445Formula() {
        let local = ICECandidate(foundation: "1", priority: 2_130_706_431, address: host, kind: .host)
        let remote = ICECandidate(foundation: "2", priority: 1_694_498_815, address: peer, kind: .srflx)
        let controlling = ICECandidatePair(local: local, remote: remote, state: .waiting, role: .controlling)
        #expect(controlling.priority == (UInt64(1_694_498_815) << 32) + 2 * 2_130_706_431 + 1)
        let controlled = ICECandidatePair(local: local, remote: remote, state: .waiting, role: .controlled)
        #expect(controlled.priority == (UInt64(1_694_498_815) << 32) + 2 * 2_130_706_431 + 0)
    }

    @Test func closedAgentIgnoresEverything() throws {
        let agent = makeAgent()
        agent.close()
        #expect(agent.pollOutput() == .event(.connectionStateChanged(.closed)))
        #expect(agent.pollOutput() == nil)
        agent.handle(.datagram(try request(username: "locl:remt", key: local.password), from: peer, to: host),
                     now: ContinuousClock.now)
        #expect(agent.pollOutput() == nil)
    }
}
