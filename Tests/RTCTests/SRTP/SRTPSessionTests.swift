import RTC
import TestSupport
import Testing

/// Two SRTP sessions keyed from the two ends of a real in-process DTLS handshake.
private func keyedPair(_ profile: SRTPProfile) throws -> (client: SRTPSession, server: SRTPSession) {
    let link = try DTLSLink(clientProfiles: [profile], serverProfiles: [profile])
    link.start()
    let clientKeys = try #require(link.keyingMaterial(.client))
    let serverKeys = try #require(link.keyingMaterial(.server))
    return (try SRTPSession(keyingMaterial: clientKeys, role: .client),
            try SRTPSession(keyingMaterial: serverKeys, role: .server))
}

/// V=2, PT=111, the given sequence number, timestamp 960·seq, SSRC 0x01020304, then a payload.
private func rtpPacket(sequence: UInt16, payloadLength: Int = 100) -> [UInt8] {
    let timestamp = UInt32(sequence) &* 960
    return [0x80, 111, UInt8(sequence >> 8), UInt8(sequence & 0xFF),
            UInt8(timestamp >> 24), UInt8((timestamp >> 16) & 0xFF), UInt8((timestamp >> 8) & 0xFF),
            UInt8(timestamp & 0xFF), 1, 2, 3, 4]
        + (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0 &+ Int(sequence)) }
}

/// An RTCP receiver report with one report block (RFC 3550 §6.4.2): 32 bytes.
private let receiverReport: [UInt8] = [0x81, 201, 0, 7, 0xAA, 0xBB, 0xCC, 0xDD]
    + [1, 2, 3, 4] + [0, 0, 0, 0] + [0, 0, 0x10, 0] + [0, 0, 0, 5] + [0, 0, 0, 0] + [0, 0, 0, 0]

@Suite("SRTPSession")
struct SRTPSessionTests {
    @Test(arguments: SRTPProfile.allCases)
    func rtpAndRTCPRoundTripBothWays(_ profile: SRTPProfile) throws {
        let (client, server) = try keyedPair(profile)
        for sequence in UInt16(1)...5 {
            let plain = rtpPacket(sequence: sequence)
            let protected = try client.protectRTP(plain)
            #expect(protected.count == plain.count + profile.rtpTrailerLength)
            #expect(Array(protected[12..<plain.count]) != Array(plain[12...]), "payload is encrypted")
            #expect(Array(protected[0..<12]) == Array(plain[0..<12]), "header stays readable")
            #expect(try server.unprotectRTP(protected) == plain)

            let reply = try server.protectRTP(plain)
            #expect(reply != protected, "each direction has its own keys")
            #expect(try client.unprotectRTP(reply) == plain)
        }
        let protectedReport = try server.protectRTCP(receiverReport)
        #expect(protectedReport.count == receiverReport.count + profile.rtcpTrailerLength)
        #expect(try client.unprotectRTCP(protectedReport) == receiverReport)
        #expect(try server.unprotectRTCP(try client.protectRTCP(receiverReport)) == receiverReport)
        #expect(client.statistics.rtpProtected == 5)
        #expect(server.statistics.rtpUnprotected == 5)
        #expect(client.statistics.rtcpUnprotected == 1)
        #expect(client.statistics.replayDrops == 0 && client.statistics.authFailures == 0)
    }

    @Test(arguments: SRTPProfile.allCases)
    func replayedPacketsAreCountedAndDropped(_ profile: SRTPProfile) throws {
        let (client, server) = try keyedPair(profile)
        let protected = try client.protectRTP(rtpPacket(sequence: 10))
        _ = try server.unprotectRTP(protected)
        #expect(throws: RTCError(.replay, "SRTP replay refused")) { try server.unprotectRTP(protected) }
        #expect(server.statistics.replayDrops == 1)

        let report = try client.protectRTCP(receiverReport)
        _ = try server.unprotectRTCP(report)
        #expect(throws: RTCError.self) { try server.unprotectRTCP(report) }
        #expect(server.statistics.replayDrops == 2)
        // The session goes on: the next packet is accepted.
        #expect(try server.unprotectRTP(try client.protectRTP(rtpPacket(sequence: 11))) == rtpPacket(sequence: 11))
    }

    @Test(arguments: SRTPProfile.allCases)
    func tamperedPacketsFailAuthentication(_ profile: SRTPProfile) throws {
        let (client, server) = try keyedPair(profile)
        var tampered = try client.protectRTP(rtpPacket(sequence: 1))
        tampered[20] ^= 0x01
        #expect(throws: RTCError.self) { try server.unprotectRTP(tampered) }
        #expect(server.statistics.authFailures == 1)

        var tamperedTag = try client.protectRTP(rtpPacket(sequence: 2))
        tamperedTag[tamperedTag.count - 1] ^= 0x80
        do {
            _ = try server.unprotectRTP(tamperedTag)
            Issue.record("a flipped tag bit must not verify")
        } catch {
            #expect(error.code == .integrityCheckFailed)
        }
        var report = try client.protectRTCP(receiverReport)
        report[9] ^= 0xFF
        #expect(throws: RTCError.self) { try server.unprotectRTCP(report) }
        #expect(server.statistics.authFailures == 3)
        #expect(try server.unprotectRTP(try client.protectRTP(rtpPacket(sequence: 3))) == rtpPacket(sequence: 3))
    }

    @Test(arguments: SRTPProfile.allCases)
    func aSessionWithOtherKeysCannotUnprotect(_ profile: SRTPProfile) throws {
        let (client, _) = try keyedPair(profile)
        let (_, strangerServer) = try keyedPair(profile)
        let protected = try client.protectRTP(rtpPacket(sequence: 1))
        #expect(throws: RTCError.self) { try strangerServer.unprotectRTP(protected) }
        #expect(strangerServer.statistics.authFailures == 1)
        #expect(throws: RTCError.self) { try strangerServer.unprotectRTCP(try client.protectRTCP(receiverReport)) }
    }

    @Test func wrongRoleCannotUnprotectItsOwnDirection() throws {
        let (client, _) = try keyedPair(.aes128CmHmacSha1_80)
        // The client's outbound key is not its inbound key: its own packets do not verify at home.
        #expect(throws: RTCError.self) { try client.unprotectRTP(try client.protectRTP(rtpPacket(sequence: 1))) }
    }

    @Test func inPlaceProtectionKeepsTheBuffer() throws {
        let (client, server) = try keyedPair(.aeadAes128Gcm)
        var packet = rtpPacket(sequence: 7)
        packet.reserveCapacity(packet.count + SRTPSession.maximumTrailerLength)
        let address = packet.withUnsafeBufferPointer { $0.baseAddress }
        try client.protectRTP(&packet)
        #expect(packet.withUnsafeBufferPointer { $0.baseAddress } == address, "no reallocation")
        try server.unprotectRTP(&packet)
        #expect(packet == rtpPacket(sequence: 7))
        #expect(packet.withUnsafeBufferPointer { $0.baseAddress } == address)
    }

    @Test func malformedPacketsAreRefusedWithoutCrashing() throws {
        let (client, server) = try keyedPair(.aes128CmHmacSha1_80)
        let truncatedHeaderExtension: [UInt8] = [0x90, 111, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4, 0xBE, 0xDE, 0xFF, 0xFF]
        let manyCSRCs: [UInt8] = [0x8F, 111, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4, 0, 0, 0, 0]
        let badPackets: [[UInt8]] = [[], [0x80], [UInt8](repeating: 0, count: 40), truncatedHeaderExtension, manyCSRCs]
        for bad in badPackets {
            #expect(throws: RTCError.self) { try client.protectRTP(bad) }
            #expect(throws: RTCError.self) { try server.unprotectRTP(bad) }
            #expect(throws: RTCError.self) { try server.unprotectRTCP(bad) }
        }
        #expect(client.statistics.malformedPackets == 5)
        var random = SplitMix64(seed: 99)
        for _ in 0..<500 {
            var bytes = (0..<Int.random(in: 0..<120, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if !bytes.isEmpty { bytes[0] = 0x80 | (bytes[0] & 0x3F) }
            _ = try? server.unprotectRTP(bytes)
            _ = try? server.unprotectRTCP(bytes)
        }
        #expect(try server.unprotectRTP(try client.protectRTP(rtpPacket(sequence: 1))) == rtpPacket(sequence: 1))
    }

    @Test func keyingMaterialRejectsWrongLengthsAndHidesSecrets() throws {
        #expect(throws: RTCError.self) {
            try SRTPKeyingMaterial(profile: .aeadAes256Gcm, exportedKeyingMaterial: [UInt8](repeating: 1, count: 60))
        }
        let material = try SRTPKeyingMaterial(
            profile: .aes128CmHmacSha1_80, exportedKeyingMaterial: (0..<60).map { UInt8($0) })
        #expect(material.clientMasterKey == Array(0..<16))
        #expect(material.serverMasterKey == Array(16..<32))
        #expect(material.clientMasterSalt == Array(32..<46))
        #expect(material.serverMasterSalt == Array(46..<60))
        #expect(material.sendingKeyAndSalt(for: .client) == material.receivingKeyAndSalt(for: .server))
        #expect(!material.description.contains("16"))
        #expect(SRTPProfile(protectionProfileID: 0x0007) == .aeadAes128Gcm)
        #expect(SRTPProfile(protectionProfileID: 0x0002) == nil)
    }
}
