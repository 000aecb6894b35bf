import RTC
import Testing

@Suite("ICE candidates and credentials")
struct ICECandidateTests {
    @Test(arguments: [
        "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.2 rport 46154"
            + " generation 0 ufrag sXx8 network-cost 999",
        "a=candidate:842163049 1 UDP 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.2 rport 46154",
        "842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.2 rport 46154",
    ])
    func parsesServerReflexiveLinesInEveryPrefixForm(line: String) throws {
        let candidate = try ICECandidate(sdpAttribute: line)
        #expect(candidate.foundation == "842163049")
        #expect(candidate.component == 1)
        #expect(candidate.transport == .udp)
        #expect(candidate.priority == 1_677_729_535)
        #expect(candidate.address.description == "203.0.113.7:46154")
        #expect(candidate.kind == .srflx)
        #expect(candidate.relatedAddress?.description == "10.0.0.2:46154")
        #expect(candidate.sdpAttribute
            == "candidate:842163049 1 UDP 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.2 rport 46154")
    }

    @Test func roundTripsHostIPv6AndTCP() throws {
        let v6 = try ICECandidate(sdpAttribute: "candidate:1 1 udp 2122262783 2001:db8::5 9 typ host generation 0")
        #expect(v6.address.isIPv6 && v6.kind == .host && v6.relatedAddress == nil)
        #expect(try ICECandidate(sdpAttribute: v6.sdpAttribute) == v6)
        let tcp = try ICECandidate(sdpAttribute: "candidate:3 1 TCP 1518280447 192.0.2.9 9 typ host tcptype active")
        #expect(tcp.transport == .tcp)
    }

    @Test func mdnsCandidatesAreRejectedAsUnsupported() {
        #expect {
            try ICECandidate(sdpAttribute: "candidate:1 1 udp 2122262783 4f1c2a7e-3b9d.local 50000 typ host")
        } throws: { error in
            (error as? RTCError)?.code == .unsupported && "\(error)".contains(".local")
        }
    }

    @Test(arguments: [
        "", "candidate:", "candidate:1 1 udp 100 10.0.0.1 70000 typ host", "candidate:1 1 sctp 100 10.0.0.1 5 typ host",
        "candidate:1 1 udp 100 10.0.0.1 5 type host", "candidate:1 0 udp 100 10.0.0.1 5 typ host",
        "candidate:1 1 udp 100 example.com 5 typ host", "candidate:1 1 udp 100 10.0.0.1 5 typ weird",
        "candidate:1 1 udp -4 10.0.0.1 5 typ host",
    ])
    func malformedLinesThrowMalformedSDP(line: String) {
        #expect { try ICECandidate(sdpAttribute: line) } throws: { ($0 as? RTCError)?.code == .malformedSDP }
    }

    @Test func priorityFollowsRFC8445Formula() {
        #expect(ICECandidate.priority(kind: .host, localPreference: 65535) == 2_130_706_431)
        #expect(ICECandidate.priority(kind: .srflx, localPreference: 65535) == 1_694_498_815)
        #expect(ICECandidate.priority(kind: .prflx, localPreference: 65535) == 1_862_270_975)
        #expect(ICECandidate.priority(kind: .relay, localPreference: 0, component: 2) == 254)
    }

    @Test func randomCredentialsUseIceCharsAndRequiredLengths() {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let first = ICECredentials.random()
        let second = ICECredentials.random()
        #expect(first.usernameFragment.count >= 4 && first.password.count >= 22)
        #expect(first.usernameFragment.allSatisfy(allowed.contains) && first.password.allSatisfy(allowed.contains))
        #expect(first != second)
    }
}
