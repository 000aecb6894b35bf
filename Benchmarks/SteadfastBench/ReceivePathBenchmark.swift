import RTC

/// 4. Receive path per packet, in steady state: RFC 7983 demultiplex, SRTP unprotect in place,
/// zero-copy RTP parse and jitter-buffer insert, on the project's own types. The protected packets
/// (Opus frames of the speech-like signal, with MID and audio-level extensions) are made by a sender
/// session first; each is copied into a reused receive buffer (the socket read, not timed) and then
/// timed through the path. Baseline: bare libsrtp `srtp_unprotect` on the same packets, interleaved.
/// Target: < 10 µs per packet, and no heap allocation per packet.
enum ReceivePathBenchmark {
    static let name = "4. Receive path"
    /// CM-HMAC-SHA1-80 is WebRTC's mandatory profile and what Chrome picks; GCM is the cheaper one.
    static let profiles: [SRTPProfile] = [.aes128CmHmacSha1_80, .aeadAes128Gcm]

    struct Outcome {
        var result: (rows: [ResultRow], derived: [DerivedRow])
        /// Per profile: the Swift path, the jitter-buffer pop of each tick, and the libsrtp baseline.
        var figures: [SRTPProfile: (path: Samples, pop: Samples, raw: Samples)]
        /// Per profile: bare libsrtp's allocation calls over the counted packets (nil without the counter).
        var rawAllocations: [SRTPProfile: UInt64?] = [:]
    }

    static func run(_ options: BenchOptions) throws -> Outcome {
        let (warmup, counted, timed) = (options.warmup(2000), options.iterations(10_000), options.iterations(20_000))
        let frames = try MediaFixtures.opusPackets(count: 500)
        var outcome = Outcome(result: ([], []), figures: [:])
        for profile in profiles {
            progress("\(name), \(profile): \(warmup) warm-up, \(counted) counted, \(timed) timed packets")
            let (sender, receiver) = try MediaFixtures.sessionPair(profile)
            var packetizer = MediaFixtures.packetizer()
            let plaintexts = (0..<(warmup + counted + timed)).map { index in
                packetizer.packetize(frames[index % frames.count], audioLevel: MediaFixtures.audioLevel)
            }
            let datagrams = try plaintexts.map { plaintext throws(RTCError) in try sender.protectRTP(plaintext) }
            let raw = try RawSRTPContext(profile: profile,
                                         keyAndSalt: try MediaFixtures.keyingMaterial(profile).receivingKeyAndSalt(for: .server),
                                         outbound: false)
            var path = ReceivePath(session: receiver)
            let figures = try measure(path: &path, raw: raw, datagrams: datagrams, warmup: warmup, counted: counted)
            outcome.figures[profile] = (figures.path, figures.pop, figures.raw)
            outcome.rawAllocations[profile] = figures.rawAllocations
            outcome.result.rows += [
                ResultRow(benchmark: name, scenario: "Baseline: bare libsrtp `srtp_unprotect` (\(profile))",
                          samples: figures.raw),
                ResultRow(benchmark: name, scenario: "**Receive path**: demux + unprotect + parse + jitter insert (\(profile))",
                          samples: figures.path, baseline: figures.raw, target: "< 10 µs", limit: .microseconds(10)),
                ResultRow(benchmark: name, scenario: "Jitter-buffer pop, one per 20 ms tick (\(profile) run)",
                          samples: figures.pop, baseline: figures.raw),
            ]
            outcome.result.derived.append(AllocationCounter.row(
                benchmark: name, scenario: "Heap allocations per packet: path + pop, steady state (\(profile))",
                packets: counted, allocations: figures.allocations,
                baseline: ("bare libsrtp", figures.rawAllocations)))
            if profile == profiles[0] {
                outcome.result.derived.append(AllocationCounter.row(
                    benchmark: name, scenario: "Heap allocations per packet: the Swift stages alone (demux + parse + "
                        + "jitter insert + pop on plaintext, no SRTP)",
                    packets: counted, allocations: try countWithoutSRTP(plaintexts, session: receiver, warmup: warmup,
                                                                        counted: counted),
                    baseline: nil))
            }
        }
        return outcome
    }

    /// Allocation calls of the receive path minus SRTP (libsrtp's own allocations are a separate matter).
    private static func countWithoutSRTP(_ plaintexts: [[UInt8]], session: SRTPSession, warmup: Int,
                                         counted: Int) throws -> UInt64? {
        var path = ReceivePath(session: session)
        let start = ContinuousClock.now
        var refused = 0
        var before: UInt64?
        for index in 0..<(warmup + counted) {
            if index == warmup { before = AllocationCounter.count() }
            let now = start + .milliseconds(20) * index
            path.load(plaintexts[index])
            if !path.process(now: now, unprotecting: false) { refused += 1 }
            _ = path.pop(now: now)
        }
        let after = AllocationCounter.count()
        guard refused == 0 else { throw BenchFailure("plaintext receive path refused \(refused) packets") }
        return before.flatMap { before in after.map { $0 - before } }
    }

    private struct Figures {
        var path = Samples(), pop = Samples(), raw = Samples()
        var allocations: UInt64?, rawAllocations: UInt64?
    }

    /// Warm-up, then a counted loop (allocations only, nothing recorded), then the timed loop.
    private static func measure(path: inout ReceivePath, raw: RawSRTPContext, datagrams: [[UInt8]],
                                warmup: Int, counted: Int) throws -> Figures {
        let start = ContinuousClock.now
        func tick(_ index: Int) -> ContinuousClock.Instant { start + .milliseconds(20) * index }
        var figures = Figures()
        for index in 0..<warmup {
            path.load(datagrams[index])
            guard path.process(now: tick(index)) else { throw BenchFailure("warm-up packet \(index) refused") }
            _ = path.pop(now: tick(index))
            guard raw.unprotect(length: raw.load(datagrams[index])) != nil else { throw BenchFailure("libsrtp refused") }
        }
        var refused = 0
        let before = AllocationCounter.count()
        for index in warmup..<(warmup + counted) {
            path.load(datagrams[index])
            if !path.process(now: tick(index)) { refused += 1 }
            _ = path.pop(now: tick(index))
        }
        let after = AllocationCounter.count()
        figures.allocations = before.flatMap { before in after.map { $0 - before } }
        let rawBefore = AllocationCounter.count()
        for index in warmup..<(warmup + counted) where raw.unprotect(length: raw.load(datagrams[index])) == nil {
            refused += 1
        }
        let rawAfter = AllocationCounter.count()
        figures.rawAllocations = rawBefore.flatMap { before in rawAfter.map { $0 - before } }
        for index in (warmup + counted)..<datagrams.count {
            let now = tick(index)
            let rawLength = raw.load(datagrams[index])
            let rawStart = ContinuousClock.now
            let rawResult = raw.unprotect(length: rawLength)
            let rawEnd = ContinuousClock.now
            path.load(datagrams[index])
            let pathStart = ContinuousClock.now
            let accepted = path.process(now: now)
            let pathEnd = ContinuousClock.now
            _ = path.pop(now: now)
            let popEnd = ContinuousClock.now
            guard accepted, let rawResult else { refused += 1; continue }
            if index == datagrams.count - 1, raw.bytes(count: rawResult) != path.buffer {
                throw BenchFailure("libsrtp and SRTPSession decrypted the same packet differently")
            }
            figures.raw.add(rawEnd - rawStart)
            figures.path.add(pathEnd - pathStart)
            figures.pop.add(popEnd - pathEnd)
        }
        guard refused == 0, path.jitter.counters.late == 0, path.jitter.counters.resets == 0 else {
            throw BenchFailure("receive path refused \(refused) packets; jitter counters \(path.jitter.counters)")
        }
        return figures
    }
}

/// The steady-state receive path of one audio stream, as a UDP driver runs it.
struct ReceivePath {
    let session: SRTPSession
    var jitter = JitterBuffer()
    /// The reused datagram buffer a socket read fills.
    private(set) var buffer: [UInt8] = []

    init(session: SRTPSession) {
        self.session = session
        buffer.reserveCapacity(1500)
    }

    /// Copies a datagram into the buffer (what `recvmsg` would do; not timed).
    mutating func load(_ datagram: [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: datagram)
    }

    /// Demultiplexes, unprotects, parses and buffers the loaded datagram; false if any stage refused it.
    @inline(never)
    mutating func process(now: ContinuousClock.Instant, unprotecting: Bool = true) -> Bool {
        guard MultiplexedPacketKind(classifying: buffer[...]) == .rtp else { return false }
        if unprotecting {
            do { try session.unprotectRTP(&buffer) } catch { return false }
        }
        guard let packet = try? RTPPacket(parsing: buffer[...]) else { return false }
        return jitter.insert(packet, now: now) == .buffered
    }

    /// The playout tick: releases the frame due at `now`, if any (its payload is dropped here).
    @inline(never)
    mutating func pop(now: ContinuousClock.Instant) -> Bool { jitter.pop(now: now) != nil }
}
