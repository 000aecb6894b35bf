import RTC
import Testing

@Suite("DTLSTransport handshake")
struct DTLSHandshakeTests {
    @Test func handshakeExportsIdenticalKeysOnBothEnds() throws {
        let link = try DTLSLink()
        link.start()
        #expect(link.isConnected)
        let client = try #require(link.keyingMaterial(.client))
        let server = try #require(link.keyingMaterial(.server))
        #expect(client == server)
        #expect(client.profile == .aeadAes256Gcm, "both offer the default order; the first common profile wins")
        #expect(client.clientMasterKey != client.serverMasterKey)
        #expect(link.client.keyingMaterial == client)
        #expect(link.clientEvents.filter { if case .connected = $0 { true } else { false } }.count == 1)
    }

    @Test func everyDatagramIsWholeDTLSRecordsWithinTheMTU() throws {
        let link = try DTLSLink()
        link.start()
        #expect(link.isConnected)
        let all = link.clientDatagrams + link.serverDatagrams
        #expect(all.count >= 4)
        for datagram in all {
            #expect(datagram.count <= 1200)
            // Walk the records: each header's length must land exactly on the next record or the end.
            var offset = 0
            while offset + 13 <= datagram.count {
                #expect((20...23).contains(datagram[offset]))
                offset += 13 + (Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12]))
            }
            #expect(offset == datagram.count, "datagram of \(datagram.count) bytes ends mid-record")
        }
        // The server's certificate flight is several records; they must not all be glued into one blob
        // with the client's data, and the first client datagram is the ClientHello alone.
        #expect(link.clientDatagrams[0][0] == 22)
        #expect(link.clientDatagrams[0][13] == 1, "handshake type 1 = ClientHello")
    }

    @Test func smallMTUFragmentsFlightsIntoSeveralDatagrams() throws {
        let link = try DTLSLink(mtu: 300)
        link.start()
        #expect(link.isConnected)
        #expect(link.serverDatagrams.allSatisfy { $0.count <= 300 })
        #expect(link.clientDatagrams.allSatisfy { $0.count <= 300 }, "\(link.clientDatagrams.map { ($0.count, recordTypes(in: $0)) })")
        // ServerHello, Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone do not fit in
        // 300 bytes, so OpenSSL flushes the flight as several datagrams and each arrives separately.
        #expect(link.serverDatagrams.count >= 3)
        #expect(link.statistics(.server).datagramsSent == link.serverDatagrams.count)
        #expect(link.statistics(.client).datagramsReceived == link.serverDatagrams.count)
    }

    @Test func timeoutsFollowTheCallersClock() throws {
        let link = try DTLSLink()
        let start = link.now
        link.server.start(now: start)
        #expect(link.server.pollOutput() == .timeout(start + .seconds(30)), "an idle server waits for the deadline")
        link.client.start(now: start)
        guard case .transmit = link.client.pollOutput() else {
            Issue.record("the client's first output is its ClientHello")
            return
        }
        guard case .timeout(let retransmit) = link.client.pollOutput() else {
            Issue.record("then it waits for a retransmission")
            return
        }
        #expect(retransmit <= start + DTLSLink.initialRetransmit)
        #expect(link.client.pollOutput() == .timeout(retransmit), "polling again repeats the timeout")
    }

    @Test(arguments: SRTPProfile.allCases)
    func negotiatesEachProfileWhenOnlyItIsOffered(_ profile: SRTPProfile) throws {
        let link = try DTLSLink(clientProfiles: [profile], serverProfiles: [profile])
        link.start()
        let material = try #require(link.keyingMaterial(.client))
        #expect(material.profile == profile)
        #expect(link.keyingMaterial(.server) == material)
        #expect(material.clientMasterKey.count == profile.masterKeyLength)
        #expect(material.serverMasterSalt.count == profile.masterSaltLength)
    }

    @Test func serverPreferenceDecidesTheProfile() throws {
        // Chrome-like: the answerer only wants the mandatory profile although GCM is offered first.
        let link = try DTLSLink(serverProfiles: [.aes128CmHmacSha1_80])
        link.start()
        #expect(link.keyingMaterial(.client)?.profile == .aes128CmHmacSha1_80)
    }

    @Test func noCommonProfileFails() throws {
        let link = try DTLSLink(clientProfiles: [.aeadAes128Gcm], serverProfiles: [.aes128CmHmacSha1_80])
        link.start()
        #expect(!link.isConnected)
        #expect(link.failure(.client) != nil)
    }

    @Test func applicationDataRoundTrips() throws {
        let link = try DTLSLink()
        #expect(throws: RTCError.self) { try link.client.send([1]) }
        link.start()
        try link.client.send([1, 2, 3])
        try link.client.send(Array(repeating: 7, count: 1000))
        link.exchange()
        #expect(link.applicationData(.server) == [[1, 2, 3], Array(repeating: 7, count: 1000)])
        try link.server.send([9, 8])
        link.exchange()
        #expect(link.applicationData(.client) == [[9, 8]])
        #expect(throws: RTCError.self) { try link.client.send([]) }
        #expect(throws: RTCError.self) { try link.client.send(Array(repeating: 0, count: 16_385)) }
    }

    @Test func aServerStartsOnItsFirstDatagram() throws {
        let link = try DTLSLink()
        #expect(link.server.state == .idle)
        link.client.start(now: link.now)
        link.exchange()
        #expect(link.isConnected)
    }

    @Test func closeNotifyReachesThePeer() throws {
        let link = try DTLSLink()
        link.start()
        link.client.close(now: link.now)
        link.exchange()
        #expect(link.sawClosed(.client))
        #expect(link.sawClosed(.server))
        #expect(link.client.state == .closed)
        #expect(link.server.state == .closed)
        #expect(link.client.pollOutput() == nil)
        #expect(throws: RTCError.self) { try link.server.send([1]) }
        let dropped = link.server.statistics.datagramsDropped
        link.server.handle(.datagram(link.clientDatagrams[0]), now: link.now)
        #expect(link.server.statistics.datagramsDropped == dropped + 1, "datagrams after the end are counted")
        #expect(link.server.pollOutput() == nil)
    }
}
