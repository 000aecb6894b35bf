import RTC
import TestSupport
import Testing

@Suite("DTLSTransport loss, timeouts and bad input")
struct DTLSFailureTests {
    @Test func retransmitsWhenTheClientHelloIsLost() async throws {
        let link = try DTLSLink()
        link.shouldDrop = { role, index, _ in role == .client && index == 0 }
        link.start()
        #expect(!link.isConnected)
        #expect(link.deadlines[.client] != nil, "the client waits to retransmit")
        try await link.runUntilConnected()
        #expect(link.isConnected)
        #expect(link.clientDatagrams[1] == link.clientDatagrams[0] || link.clientDatagrams[1][13] == 1)
        #expect(link.keyingMaterial(.client) == link.keyingMaterial(.server))
    }

    @Test func retransmitsWhenWholeFlightsAreLost() async throws {
        let link = try DTLSLink()
        // Lose the server's first flight twice and the client's certificate flight once.
        var serverHellosLost = 0, clientFinishedLost = false
        link.shouldDrop = { role, _, datagram in
            if role == .server, datagram[13] == 2, serverHellosLost < 2 {  // 2 = ServerHello
                serverHellosLost += 1
                return true
            }
            if role == .client, datagram[0] == 22, datagram[13] == 11, !clientFinishedLost {  // 11 = Certificate
                clientFinishedLost = true
                return true
            }
            return false
        }
        link.start()
        try await link.runUntilConnected(limit: 12)
        #expect(link.isConnected)
        #expect(serverHellosLost == 2)
        #expect(link.keyingMaterial(.client) == link.keyingMaterial(.server))
    }

    @Test func retransmitsWhenTheServersLastFlightIsLost() async throws {
        let link = try DTLSLink()
        var dropped = false
        // The server's last flight is the one carrying its ChangeCipherSpec record (content type 20).
        link.shouldDrop = { role, _, datagram in
            guard role == .server, recordTypes(in: datagram).contains(20), !dropped else { return false }
            dropped = true
            return true
        }
        link.start()
        #expect(dropped)
        #expect(link.server.state == .connected)
        #expect(link.client.state == .handshaking)
        try await link.runUntilConnected()
        #expect(link.isConnected, "the client's repeated Finished makes the server resend its last flight")
        #expect(link.keyingMaterial(.client) == link.keyingMaterial(.server))
    }

    @Test func handshakeTimesOutOnTheCallersClock() throws {
        let link = try DTLSLink(handshakeTimeout: .seconds(5))
        link.shouldDrop = { _, _, _ in true }
        link.start()
        #expect(link.client.state == .handshaking)
        link.now += .seconds(4)
        link.client.handle(.timeout, now: link.now)
        link.exchange()
        #expect(link.client.state == .handshaking, "not yet")
        link.now += .seconds(1)
        link.client.handle(.timeout, now: link.now)
        link.exchange()
        #expect(link.client.state == .failed)
        #expect(link.failure(.client)?.code == .timeout)
        #expect(link.client.pollOutput() == nil, "a failed transport asks for nothing more")
    }

    @Test(arguments: [DTLSRole.client, .server])
    func fingerprintMismatchFails(_ checkingSide: DTLSRole) throws {
        let stranger = try DTLSCertificate()
        let link = try checkingSide == .client
            ? DTLSLink(clientExpects: stranger.fingerprint) : DTLSLink(serverExpects: stranger.fingerprint)
        link.start()
        #expect(!link.isConnected)
        #expect(link.failure(checkingSide)?.code == .fingerprintMismatch)
        #expect(link.keyingMaterial(checkingSide) == nil)
        let other: DTLSRole = checkingSide == .client ? .server : .client
        #expect(link.transport(other).state != .connected || link.transport(checkingSide).state == .failed)
    }

    @Test func fingerprintWithAnotherHashIsHonoured() throws {
        // The peer may signal sha-384 or sha-512 (aiortc lists three); we hash with what it named.
        let link = try DTLSLink(clientExpectsAlgorithm: .sha512)
        link.start()
        #expect(link.isConnected)
    }

    @Test func garbageNeverCrashesAndIsCounted() throws {
        var random = SplitMix64(seed: 0x5EED)
        let idle = try DTLSLink()
        for _ in 0..<500 {
            let length = Int.random(in: 0...200, using: &random)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            idle.server.handle(.datagram(bytes), now: idle.now)
        }
        #expect(idle.server.statistics.datagramsReceived == 500)
        #expect(idle.server.statistics.datagramsDropped > 400)

        // Mid-handshake: truncated copies of real datagrams and random bodies behind valid headers.
        let link = try DTLSLink()
        link.start()
        let real = link.clientDatagrams + link.serverDatagrams
        for datagram in real {
            for cut in stride(from: 0, to: datagram.count, by: 7) {
                link.server.handle(.datagram(Array(datagram.prefix(cut))), now: link.now)
                link.client.handle(.datagram(Array(datagram.prefix(cut))), now: link.now)
            }
        }
        for _ in 0..<300 {
            var bytes = (0..<Int.random(in: 13...300, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            bytes[0] = [20, 21, 22, 23].randomElement(using: &random) ?? 23
            bytes[1] = 0xFE
            bytes[2] = 0xFD
            bytes[11] = UInt8((bytes.count - 13) >> 8)
            bytes[12] = UInt8((bytes.count - 13) & 0xFF)
            link.client.handle(.datagram(bytes), now: link.now)
            link.server.handle(.datagram(bytes), now: link.now)
        }
        link.exchange()
        // Whatever OpenSSL made of it, both ends are in a defined state and still answer.
        for transport in [link.client, link.server] {
            #expect([.connected, .failed, .closed].contains(transport.state))
            #expect(transport.statistics.datagramsDropped > 0)
        }
    }

    @Test func garbageDuringTheHandshakeDoesNotStopIt() throws {
        var random = SplitMix64(seed: 42)
        let link = try DTLSLink()
        link.server.start(now: link.now)
        link.client.start(now: link.now)
        // Junk that is not a DTLS record, interleaved with every real datagram.
        for _ in 0..<20 {
            let junk = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 64...255, using: &random) }
            link.server.handle(.datagram(junk), now: link.now)
            link.client.handle(.datagram(junk), now: link.now)
            link.exchange()
        }
        #expect(link.isConnected)
        #expect(link.server.statistics.datagramsDropped >= 20)
    }
}

/// The content types of the DTLS records packed into one datagram.
func recordTypes(in datagram: [UInt8]) -> [UInt8] {
    var types: [UInt8] = []
    var offset = 0
    while offset + 13 <= datagram.count {
        types.append(datagram[offset])
        offset += 13 + (Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12]))
    }
    return types
}
