import Foundation
import RTC

/// The media-plane parsers: everything a remote peer can put in a UDP datagram or an SDP.
enum RTCTargets {
    /// The key a fuzzed STUN message's MESSAGE-INTEGRITY is checked against (the ICE password path).
    private static let stunKey = Array("fuzz-ice-password-0123".utf8)

    static func stun(_ bytes: [UInt8]) {
        _ = STUNMessage.isSTUN(bytes)
        guard let message = try? STUNMessage(parsing: bytes) else { return }
        _ = message.username
        _ = message.xorMappedAddress
        _ = message.mappedAddress
        _ = message.priority
        _ = message.useCandidate
        _ = message.iceControlling
        _ = message.iceControlled
        _ = message.errorCode
        _ = message.hasValidIntegrity(key: stunKey)
        _ = message.hasValidFingerprint
        if let encoded = try? message.encoded(integrityKey: stunKey, fingerprint: true) {
            _ = try? STUNMessage(parsing: encoded)
        }
    }

    private static let extensionMap = RTPHeaderExtensionMap([
        (1, RTPHeaderExtensionMap.audioLevelURI), (3, RTPHeaderExtensionMap.absoluteCaptureTimeURI),
        (4, RTPHeaderExtensionMap.midURI),
    ])

    /// The whole input as one packet; then the input as framed packets through a jitter buffer and
    /// receive statistics on a virtual clock (the receive path after SRTP).
    static func rtp(_ bytes: [UInt8]) {
        _ = MultiplexedPacketKind(classifying: bytes[...])
        inspectRTP(bytes)
        var input = FuzzInput(bytes)
        var jitter = JitterBuffer()
        var statistics: RTPReceiveStatistics?
        var now = ContinuousClock.Instant.now
        while let step = input.byte() {
            // The low bits advance the virtual clock by 0…75 ms, so both late and early packets happen.
            now = now.advanced(by: .milliseconds(Int(step & 0x0F) * 5))
            if step & 0x80 != 0 {
                while jitter.pop(now: now) != nil {}
                continue
            }
            guard let frame = input.frame(), let packet = try? RTPPacket(parsing: frame) else { continue }
            jitter.insert(packet, now: now)
            if statistics == nil { statistics = RTPReceiveStatistics(ssrc: packet.header.ssrc) }
            statistics?.record(sequenceNumber: packet.header.sequenceNumber, timestamp: packet.header.timestamp,
                               payloadLength: packet.payload.count, arrival: now)
            _ = statistics?.cumulativeLost
            _ = statistics?.jitter
            _ = statistics?.extendedHighestSequenceNumber
        }
        while jitter.pop(now: now.advanced(by: .seconds(1))) != nil {}
        _ = jitter.bufferedCount
        _ = jitter.measuredJitter
    }

    private static func inspectRTP(_ bytes: [UInt8]) {
        guard let packet = try? RTPPacket(parsing: bytes) else { return }
        let extensions = packet.header.extensions
        for element in extensions { _ = element.data.count }
        _ = extensions.mid(using: extensionMap)
        _ = extensions.audioLevel(using: extensionMap)
        _ = extensions.absoluteCaptureTime(using: extensionMap)
        _ = extensions.hasMID(Array("0".utf8), using: extensionMap)
        if let serialized = try? packet.serialized() { _ = try? RTPPacket(parsing: serialized) }
    }

    static func rtcp(_ bytes: [UInt8]) {
        _ = MultiplexedPacketKind(classifying: bytes[...])
        guard let packets = try? RTCPPacket.parseCompound(bytes) else { return }
        let serialized = RTCPPacket.serializeCompound(packets)
        _ = try? RTCPPacket.parseCompound(serialized)
    }

    // MARK: SDP

    static func sdp(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let description = try? SessionDescription(parsing: text) {
            _ = try? SessionDescription(parsing: description.serialized())
        }
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("a=candidate:") {
            if let candidate = try? ICECandidate(sdpAttribute: String(line.dropFirst(2))) {
                _ = try? ICECandidate(sdpAttribute: candidate.sdpAttribute)
            }
        }
        guard let certificate = sharedCertificate else { return }
        let now = ContinuousClock.Instant.now
        // As the server's offer to our subscriber PeerConnection…
        let answerer = PeerConnection(certificate: certificate, wallClock: { 0 })
        if (try? answerer.setRemoteDescription(text, type: .offer, now: now)) != nil {
            _ = try? answerer.createAnswer()
        }
        // …and as the answer to our publisher's offer.
        let offerer = PeerConnection(certificate: certificate, wallClock: { 0 })
        offerer.addSendTrack()
        if (try? offerer.createOffer()) != nil {
            _ = try? offerer.setRemoteDescription(text, type: .answer, now: now)
        }
        for line in text.split(whereSeparator: \.isNewline).prefix(8) where line.hasPrefix("a=candidate:") {
            _ = try? answerer.addRemoteCandidate(String(line.dropFirst(2)), now: now)
        }
        while answerer.pollOutput() != nil {}
        while offerer.pollOutput() != nil {}
    }

    // MARK: DTLS

    /// Generated once: a key pair per input would make the target measure RSA/EC key generation.
    nonisolated(unsafe) private static var certificateStorage: DTLSCertificate??
    private static var sharedCertificate: DTLSCertificate? {
        if let stored = certificateStorage { return stored }
        let made = try? DTLSCertificate(commonName: "steadfast-fuzz")
        certificateStorage = .some(made)
        return made
    }

    static func prepareDTLS() { _ = sharedCertificate }

    /// First byte: bit 0 picks the role (server waiting for a ClientHello, or client that has sent
    /// its own); the rest is framed datagrams, each followed by polling every output.
    static func dtls(_ bytes: [UInt8]) {
        guard let certificate = sharedCertificate,
              let fingerprint = try? DTLSFingerprint(algorithm: .sha256, digest: [UInt8](repeating: 0xAB, count: 32))
        else { return }
        var input = FuzzInput(bytes)
        let role: DTLSRole = (input.byte() ?? 0) & 1 == 0 ? .server : .client
        guard let transport = try? DTLSTransport(role: role, certificate: certificate, remoteFingerprint: fingerprint)
        else { return }
        var now = ContinuousClock.Instant.now
        transport.start(now: now)
        drain(transport)
        while let datagram = input.frame() {
            transport.handle(.datagram(datagram), now: now)
            drain(transport)
            now = now.advanced(by: .milliseconds(10))
        }
        transport.handle(.timeout, now: now.advanced(by: .seconds(2)))
        drain(transport)
        _ = try? transport.send(Array("after".utf8))
        transport.close(now: now)
        drain(transport)
    }

    private static func drain(_ transport: DTLSTransport) {
        while let output = transport.pollOutput() {
            if case .timeout = output { return }
        }
    }
}
