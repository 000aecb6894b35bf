import MallocCounter
import RTC
import Testing

/// This thread's heap allocation calls, split into those made inside libsrtp's per-packet calls
/// (Debian's libsrtp2 is built on NSS, which allocates cipher and digest contexts per packet) and
/// all the others, which are ours: the Swift code of RTC, the runtime it calls, our C shims.
///
/// The counters live in `Benchmarks/MallocCounter`, linked into the test executable, where they
/// replace malloc for the process and count per thread. A synchronous test body never leaves its
/// thread, so the tests running in parallel on other threads do not disturb the counts.
struct ThreadAllocations: Equatable, CustomStringConvertible {
    var ours: UInt64 = 0
    var libsrtp: UInt64 = 0

    static func current() -> Self {
        let libsrtp = steadfast_srtp_allocation_count()
        return Self(ours: steadfast_allocation_count() - libsrtp, libsrtp: libsrtp)
    }

    static func - (lhs: Self, rhs: Self) -> Self { Self(ours: lhs.ours - rhs.ours, libsrtp: lhs.libsrtp - rhs.libsrtp) }
    static func += (lhs: inout Self, rhs: Self) { lhs = Self(ours: lhs.ours + rhs.ours, libsrtp: lhs.libsrtp + rhs.libsrtp) }

    var description: String { "\(ours) of ours, \(libsrtp) inside libsrtp" }
}

/// Issue 15: the steady-state media path allocates nothing of its own, per packet, both ways. The
/// RTC target is built with `-O` even in debug (Package.swift), so `swift test` checks the code that
/// ships; unoptimised it allocates 2 times per received packet and 10–16 per sent one (closure
/// contexts, unspecialised generics), all of which the optimiser removes.
///
/// Each test warms up first (the first packets legitimately allocate: buffers, maps, learned SSRCs),
/// then counts only the per-packet calls over `counted` packets; setup, timers and bookkeeping run
/// outside the counted regions. The test code inside them is written not to allocate either.
@Suite("Packet path allocations", .timeLimit(.minutes(2)))
struct PacketPathAllocationTests {
    static let warmup = 500
    static let counted = 2000
    static let profiles: [SRTPProfile] = [.aes128CmHmacSha1_80, .aeadAes128Gcm]

    /// Opus-sized stand-in frames of varying length (the codec itself is not on this path).
    static func frames(count: Int) -> [[UInt8]] {
        (0..<count).map { index in [0x78] + (0..<(40 + index * 7 % 80)).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) } }
    }

    /// The counter is live on this thread: a loop that makes an array per iteration is seen, an
    /// empty one is not, and what libsrtp allocates is kept apart from ours.
    @Test func theCounterSeesThisThreadsAllocations() throws {
        let start = ThreadAllocations.current()
        var total = 0
        for index in 0..<1000 { total += makeArray(index).count }
        let arrays = ThreadAllocations.current() - start
        #expect(total == 3000)
        #expect(arrays.ours >= 1000, "an array per iteration: \(arrays)")
        #expect(arrays.libsrtp == 0)

        let idleStart = ThreadAllocations.current()
        for index in 0..<1000 { total &+= index }
        #expect(ThreadAllocations.current() - idleStart == ThreadAllocations(), "an empty loop allocated")

        // The copying `protectRTP(_:) -> [UInt8]` makes a new array per packet: ours, not libsrtp's.
        let (sender, _) = try Self.sessionPair(.aeadAes128Gcm)
        var packetizer = Self.packetizer()
        let plaintexts = Self.frames(count: 100).map { packetizer.packetize($0, audioLevel: Self.audioLevel) }
        let copying = ThreadAllocations.current()
        for plaintext in plaintexts { _ = try sender.protectRTP(plaintext) }
        #expect((ThreadAllocations.current() - copying).ours >= 100)
    }

    @inline(never) private func makeArray(_ index: Int) -> [Int] { [index, index + 1, index + 2] }

    /// The layer under `PeerConnection`, per packet: send = Opus RTP packetize into a reused buffer +
    /// SRTP protect in place; receive = the socket read into a reused buffer + RFC 7983 demultiplex +
    /// SRTP unprotect in place + RTP parse + jitter-buffer insert + the playout tick's pop.
    @Test(arguments: profiles)
    func sendAndReceivePathsAllocateNothingOfTheirOwn(_ profile: SRTPProfile) throws {
        let (sender, receiver) = try Self.sessionPair(profile)
        var packetizer = Self.packetizer()
        var jitter = JitterBuffer()
        var sendBuffer: [UInt8] = []
        sendBuffer.reserveCapacity(1500)
        var receiveBuffer: [UInt8] = []
        receiveBuffer.reserveCapacity(1500)
        let frames = Self.frames(count: 50)
        var send = ThreadAllocations(), receive = ThreadAllocations()
        var refused = 0, played = 0
        let start = ContinuousClock.now
        for index in 0..<(Self.warmup + Self.counted) {
            let now = start + .milliseconds(20) * index
            let beforeSend = ThreadAllocations.current()
            sendBuffer.removeAll(keepingCapacity: true)
            packetizer.packetize(frames[index % frames.count][...], audioLevel: Self.audioLevel, into: &sendBuffer)
            do { try sender.protectRTP(&sendBuffer) } catch { refused += 1 }
            let beforeReceive = ThreadAllocations.current()
            receiveBuffer.removeAll(keepingCapacity: true)
            receiveBuffer.append(contentsOf: sendBuffer)
            if MultiplexedPacketKind(classifying: receiveBuffer[...]) == .rtp {
                do {
                    try receiver.unprotectRTP(&receiveBuffer)
                    if jitter.insert(try RTPPacket(parsing: receiveBuffer[...]), now: now) != .buffered { refused += 1 }
                } catch { refused += 1 }
            } else {
                refused += 1
            }
            if case .frame? = jitter.pop(now: now) { played += 1 }
            let after = ThreadAllocations.current()
            if index >= Self.warmup {
                send += beforeReceive - beforeSend
                receive += after - beforeReceive
            }
        }
        #expect(refused == 0)
        #expect(played >= Self.warmup + Self.counted - 3, "every packet but the jitter delay's is played")
        #expect(jitter.counters.late == 0 && jitter.counters.lost == 0)
        #expect(send.ours == 0, "send path, \(profile): \(send) in \(Self.counted) packets")
        #expect(receive.ours == 0, "receive path, \(profile): \(receive) in \(Self.counted) packets")
    }

    /// Two connected `PeerConnection`s (real DTLS-SRTP, in memory, virtual clock), per packet: the
    /// sender's `sendAudio` and the `pollOutput` that hands its datagram over; the receiver's
    /// `handleDatagram` on a reused receive buffer (what the UDP driver calls); and the receiver's
    /// 20 ms playout tick (`handle(.timeout)`) with the `.audio` event it outputs. Ticks on which ICE
    /// consent or RTCP also fired (they transmit; every few seconds, not per packet) are not counted.
    @Test func peerConnectionPacketPathAllocatesNothingOfItsOwn() throws {
        let harness = try LoopbackHarness()
        harness.offerer.addSendTrack()
        harness.answerer.addSendTrack()
        try harness.negotiate()
        harness.run(until: harness.now + .seconds(2))
        try #require(harness.offerer.state == .connected && harness.answerer.state == .connected)
        let receiveBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 8)
        defer { receiveBuffer.deallocate() }
        var tickOutputs: [PeerConnection.Output] = []
        tickOutputs.reserveCapacity(64)
        let frames = Self.frames(count: 50)
        let receivedBefore = harness.answerer.statistics.packetsReceived
        var send = ThreadAllocations(), receive = ThreadAllocations(), playout = ThreadAllocations()
        var missing = 0, playoutTicks = 0, played = 0
        for index in 0..<(Self.warmup + Self.counted) {
            let now = harness.now + .milliseconds(20)
            harness.now = now
            let beforeTick = ThreadAllocations.current()
            harness.answerer.handle(.timeout, now: now)
            while let output = harness.answerer.pollOutput() { tickOutputs.append(output) }
            let afterTick = ThreadAllocations.current()
            var timersFired = false
            for output in tickOutputs {
                switch output {
                case .transmit(let bytes, let from, let to):
                    timersFired = true
                    harness.network.send(bytes, from: from, to: to, now: now)
                case .event(.audio(_, .frame)): played += 1
                case .event: break
                }
            }
            tickOutputs.removeAll(keepingCapacity: true)  // a kept payload slice would be copied on the next insert
            if index >= Self.warmup, !timersFired {
                playout += afterTick - beforeTick
                playoutTicks += 1
            }
            harness.offerer.handle(.timeout, now: now)
            harness.pump()
            harness.events.removeAll(keepingCapacity: true)

            let beforeSend = ThreadAllocations.current()
            harness.offerer.sendAudio(frames[index % frames.count], now: now)
            let output = harness.offerer.pollOutput()
            let afterSend = ThreadAllocations.current()
            guard case .transmit(let bytes, let from, let to)? = output else { missing += 1; continue }
            let length = bytes.withUnsafeBytes { source in
                receiveBuffer.copyMemory(from: source)
                return source.count
            }
            let beforeReceive = ThreadAllocations.current()
            harness.answerer.handleDatagram(UnsafeRawBufferPointer(rebasing: receiveBuffer[..<length]),
                                            from: from, to: to, now: now)
            let afterReceive = ThreadAllocations.current()
            if index >= Self.warmup {
                send += afterSend - beforeSend
                receive += afterReceive - beforeReceive
            }
        }
        #expect(missing == 0, "sendAudio produced no datagram \(missing) times")
        #expect(harness.answerer.statistics.packetsReceived - receivedBefore == Self.warmup + Self.counted)
        #expect(harness.answerer.statistics.droppedDatagrams == 0)
        #expect(played >= Self.warmup + Self.counted - 3, "every packet but the jitter delay's is played")
        #expect(playoutTicks >= Self.counted * 9 / 10, "consent and RTCP fire every few seconds, not every tick")
        #expect(send.ours == 0, "sendAudio + pollOutput: \(send) in \(Self.counted) packets")
        #expect(receive.ours == 0, "handleDatagram: \(receive) in \(Self.counted) packets")
        // The playout tick used to sort `receivers.keys` into a new array every 20 ms; it walks a
        // list kept beside the map now.
        #expect(playout.ours == 0, "playout tick: \(playout) in \(playoutTicks) ticks")
    }

    // MARK: Fixtures

    static let audioLevel = RTPAudioLevel(voiceActivity: true, level: 30)

    /// The two ends of one SRTP association, keyed from fixed bytes as if exported by DTLS.
    static func sessionPair(_ profile: SRTPProfile) throws -> (sender: SRTPSession, receiver: SRTPSession) {
        let exported = (0..<profile.exportedKeyingMaterialLength).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let material = try SRTPKeyingMaterial(profile: profile, exportedKeyingMaterial: exported)
        return (try SRTPSession(keyingMaterial: material, role: .client), try SRTPSession(keyingMaterial: material, role: .server))
    }

    /// With the MID and audio-level extensions, as a negotiated send track writes them.
    static func packetizer() -> OpusRTPPacketizer {
        let extensionMap = RTPHeaderExtensionMap([
            (id: 1, uri: RTPHeaderExtensionMap.midURI), (id: 2, uri: RTPHeaderExtensionMap.audioLevelURI),
        ])
        return OpusRTPPacketizer(ssrc: 0x5EAD_FA57, payloadType: 111, mid: "0", extensionMap: extensionMap,
                                 initialSequenceNumber: 1000, initialTimestamp: 90_000)
    }
}
