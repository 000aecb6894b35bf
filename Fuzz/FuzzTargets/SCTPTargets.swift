import SCTP

/// What a data-channel peer can put inside DTLS: SCTP packets (RFC 9260) carrying DCEP (RFC 8832) and
/// channel messages.
enum SCTPTargets {
    /// Wire parsers alone (checksum not required, so the fuzzer reaches the chunk parsers), then an
    /// established association fed a sequence of steps, each an op byte:
    /// `op % 8` 0–2 → the next frame as a packet from the peer, its verification tag and CRC32c
    /// fixed up so it reaches the chunk handlers; 3 → timers after `op >> 3` × 100 ms; 4 → open a
    /// channel whose options come from `op`; 5 → send the next frame on a channel; 6 → close a channel
    /// or set its low-water mark; 7 → a frame passed unmodified (bad checksums and tags).
    static func association(_ bytes: [UInt8]) {
        if let packet = try? SCTPPacket.parse(bytes, verifyChecksum: false) { _ = packet.serialize() }
        if let message = try? DCEPMessage.parse(bytes) { _ = message.serialize() }

        var link = EstablishedPair.make()
        var input = FuzzInput(bytes)
        var now = link.now
        while let op = input.byte() {
            switch op % 8 {
            case 0...2:
                guard var frame = input.frame() else { break }
                link.fixUp(&frame)
                link.local.handle(.packet(frame), now: now)
            case 3:
                now = now.advanced(by: .milliseconds(100 * Int(op >> 3)))
                link.local.handle(.timeout, now: now)
            case 4:
                let options = DataChannelOptions(
                    label: "fuzz-\(op)", ordered: op & 0x08 == 0,
                    maxRetransmits: op & 0x10 != 0 ? UInt32(op >> 5) : nil,
                    negotiatedID: op & 0x20 != 0 ? UInt16(op >> 6) : nil)
                link.local.handle(.openChannel(options), now: now)
            case 5:
                guard let frame = input.frame() else { break }
                let channel = link.local.channelIDs.first ?? UInt16(op >> 3)
                let message: DataChannelMessage = op & 0x80 != 0
                    ? .binary(frame) : .text(String(decoding: frame, as: UTF8.self))
                link.local.handle(.send(channelID: channel, message), now: now)
            case 6:
                let channel = link.local.channelIDs.last ?? UInt16(op >> 3)
                if op & 0x08 != 0 {
                    link.local.handle(.closeChannel(channel), now: now)
                } else {
                    link.local.handle(.setBufferedAmountLowThreshold(channelID: channel, bytes: Int(op >> 4) * 64), now: now)
                }
            default:
                guard let frame = input.frame() else { break }
                link.local.handle(.packet(frame), now: now)
            }
            while let output = link.local.pollOutput() { _ = output }
        }
        _ = link.local.state
        _ = link.local.stats
        _ = link.local.nextDeadline
    }

    /// An association brought up against a real second one on a virtual clock, so fuzzed packets
    /// reach the established state's handlers instead of stopping at the handshake.
    private struct EstablishedPair {
        var local: SCTPAssociation
        var now: ContinuousClock.Instant
        /// The verification tag the local side expects on packets from its peer.
        var expectedTag: UInt32

        static func make() -> EstablishedPair {
            var local = SCTPAssociation(.init(isDTLSClient: true, seed: 7))
            var peer = SCTPAssociation(.init(isDTLSClient: false, seed: 11))
            var now = ContinuousClock.Instant.now
            var expectedTag: UInt32 = 0
            local.handle(.connect, now: now)
            peer.handle(.connect, now: now)
            for _ in 0..<16 {
                var moved = false
                while let output = local.pollOutput() {
                    if case .transmit(let packet) = output { peer.handle(.packet(packet), now: now); moved = true }
                }
                while let output = peer.pollOutput() {
                    if case .transmit(let packet) = output {
                        if let parsed = try? SCTPPacket.parse(packet) { expectedTag = parsed.verificationTag }
                        local.handle(.packet(packet), now: now)
                        moved = true
                    }
                }
                if !moved { break }
                now = now.advanced(by: .milliseconds(1))
            }
            return EstablishedPair(local: local, now: now, expectedTag: expectedTag)
        }

        /// Writes the expected verification tag and a correct CRC32c (little-endian on the wire,
        /// RFC 9260 Appendix B) into a frame long enough to carry an SCTP common header.
        func fixUp(_ frame: inout [UInt8]) {
            guard frame.count >= SCTPPacket.headerSize else { return }
            frame[4] = UInt8(expectedTag >> 24); frame[5] = UInt8(expectedTag >> 16 & 0xFF)
            frame[6] = UInt8(expectedTag >> 8 & 0xFF); frame[7] = UInt8(expectedTag & 0xFF)
            frame[8] = 0; frame[9] = 0; frame[10] = 0; frame[11] = 0
            let crc = CRC32c.checksum(frame)
            frame[8] = UInt8(crc & 0xFF); frame[9] = UInt8(crc >> 8 & 0xFF)
            frame[10] = UInt8(crc >> 16 & 0xFF); frame[11] = UInt8(crc >> 24)
        }
    }
}

extension SCTPTargets {
    /// Seeds: what a real peer sends after the handshake (DCEP open, text, binary, a fragmented
    /// 4 KiB message, SACKs, a stream reset), each packet as an op-0 step, plus each packet alone.
    static func seeds() -> [(String, [UInt8])] {
        var local = SCTPAssociation(.init(isDTLSClient: true, seed: 7))
        var peer = SCTPAssociation(.init(isDTLSClient: false, seed: 11))
        var now = ContinuousClock.Instant.now
        var fromPeer: [[UInt8]] = []
        func exchange() {
            for _ in 0..<64 {
                var moved = false
                while let output = local.pollOutput() {
                    if case .transmit(let packet) = output { peer.handle(.packet(packet), now: now); moved = true }
                }
                while let output = peer.pollOutput() {
                    if case .transmit(let packet) = output {
                        fromPeer.append(packet)
                        local.handle(.packet(packet), now: now)
                        moved = true
                    }
                }
                if !moved { return }
                now = now.advanced(by: .milliseconds(1))
            }
        }
        local.handle(.connect, now: now)
        peer.handle(.connect, now: now)
        exchange()
        let handshake = fromPeer.count
        peer.handle(.openChannel(DataChannelOptions(label: "chat")), now: now)
        exchange()
        if let channel = peer.channelIDs.first {
            peer.handle(.send(channelID: channel, .text("hello")), now: now)
            peer.handle(.send(channelID: channel, .binary([0, 1, 2, 3])), now: now)
            peer.handle(.send(channelID: channel, .text("")), now: now)
            peer.handle(.send(channelID: channel, .binary(Array(repeating: 0x5A, count: 4096))), now: now)
            exchange()
            peer.handle(.closeChannel(channel), now: now)
            exchange()
        }
        let established = fromPeer.dropFirst(handshake)
        var seeds = fromPeer.enumerated().map { ("packet-\($0.offset)", $0.element) }
        seeds.append(("session", established.flatMap { [0x00] + FuzzInput.frame($0) } + [0x0B, 0x0B]))
        return seeds
    }
}
