import RTC

/// 5. Send path per packet, in steady state: Opus RTP packetizing (header, MID and audio-level
/// extensions, payload written straight into a reused buffer) and SRTP protect in place, on the
/// project's own types. Baseline: bare libsrtp `srtp_protect` of the same plaintext packets, interleaved.
/// Target: < 10 µs per packet, and no heap allocation per packet.
enum SendPathBenchmark {
    static let name = "5. Send path"

    struct Outcome {
        var result: (rows: [ResultRow], derived: [DerivedRow])
        var figures: [SRTPProfile: (path: Samples, raw: Samples)]
    }

    static func run(_ options: BenchOptions) throws -> Outcome {
        let (warmup, counted, timed) = (options.warmup(2000), options.iterations(10_000), options.iterations(20_000))
        let frames = try MediaFixtures.opusPackets(count: 500)
        var outcome = Outcome(result: ([], []), figures: [:])
        for profile in ReceivePathBenchmark.profiles {
            progress("\(name), \(profile): \(warmup) warm-up, \(counted) counted, \(timed) timed packets")
            let (sender, _) = try MediaFixtures.sessionPair(profile)
            var reference = MediaFixtures.packetizer()
            let plaintexts = (0..<(warmup + counted + timed)).map { index in
                reference.packetize(frames[index % frames.count], audioLevel: MediaFixtures.audioLevel)
            }
            let raw = try RawSRTPContext(profile: profile,
                                         keyAndSalt: try MediaFixtures.keyingMaterial(profile).sendingKeyAndSalt(for: .client),
                                         outbound: true)
            var path = SendPath(session: sender)
            let figures = try measure(path: &path, raw: raw, frames: frames, plaintexts: plaintexts,
                                      warmup: warmup, counted: counted)
            outcome.figures[profile] = (figures.path, figures.raw)
            outcome.result.rows += [
                ResultRow(benchmark: name, scenario: "Baseline: bare libsrtp `srtp_protect` (\(profile))", samples: figures.raw),
                ResultRow(benchmark: name, scenario: "**Send path**: Opus RTP packetize + serialize + protect (\(profile))",
                          samples: figures.path, baseline: figures.raw, target: "< 10 µs", limit: .microseconds(10)),
            ]
            outcome.result.derived.append(AllocationCounter.row(
                benchmark: name, scenario: "Heap allocations per packet, steady state (\(profile))",
                packets: counted, allocations: figures.allocations, baseline: ("bare libsrtp", figures.rawAllocations)))
            if profile == ReceivePathBenchmark.profiles[0] {
                outcome.result.derived.append(AllocationCounter.row(
                    benchmark: name, scenario: "Heap allocations per packet: the Swift stages alone (packetize into "
                        + "the reused buffer, no SRTP)",
                    packets: counted, allocations: countWithoutSRTP(session: sender, frames: frames, warmup: warmup,
                                                                    counted: counted),
                    baseline: nil))
            }
        }
        return outcome
    }

    private struct Figures {
        var path = Samples(), raw = Samples()
        var allocations: UInt64?, rawAllocations: UInt64?
    }

    /// Allocation calls of the send path minus SRTP (libsrtp's own allocations are a separate matter).
    private static func countWithoutSRTP(session: SRTPSession, frames: [[UInt8]], warmup: Int, counted: Int) -> UInt64? {
        var path = SendPath(session: session)
        var before: UInt64?
        for index in 0..<(warmup + counted) {
            if index == warmup { before = AllocationCounter.count() }
            _ = path.send(frames[index % frames.count][...], protecting: false)
        }
        let after = AllocationCounter.count()
        return before.flatMap { before in after.map { $0 - before } }
    }

    private static func measure(path: inout SendPath, raw: RawSRTPContext, frames: [[UInt8]], plaintexts: [[UInt8]],
                                warmup: Int, counted: Int) throws -> Figures {
        var figures = Figures()
        var failed = 0
        func frame(_ index: Int) -> ArraySlice<UInt8> { frames[index % frames.count][...] }
        for index in 0..<warmup {
            if !path.send(frame(index)) { failed += 1 }
            if raw.protect(length: raw.load(plaintexts[index])) == nil { failed += 1 }
        }
        let before = AllocationCounter.count()
        for index in warmup..<(warmup + counted) where !path.send(frame(index)) { failed += 1 }
        let after = AllocationCounter.count()
        figures.allocations = before.flatMap { before in after.map { $0 - before } }
        let rawBefore = AllocationCounter.count()
        for index in warmup..<(warmup + counted) where raw.protect(length: raw.load(plaintexts[index])) == nil {
            failed += 1
        }
        let rawAfter = AllocationCounter.count()
        figures.rawAllocations = rawBefore.flatMap { before in rawAfter.map { $0 - before } }
        for index in (warmup + counted)..<plaintexts.count {
            let rawLength = raw.load(plaintexts[index])
            let rawStart = ContinuousClock.now
            let rawResult = raw.protect(length: rawLength)
            let rawEnd = ContinuousClock.now
            let sent = path.send(frame(index))
            let pathEnd = ContinuousClock.now
            guard sent, let rawResult else { failed += 1; continue }
            if index == plaintexts.count - 1, raw.bytes(count: rawResult) != path.buffer {
                throw BenchFailure("libsrtp and the send path produced different packets")
            }
            figures.raw.add(rawEnd - rawStart)
            figures.path.add(pathEnd - rawEnd)
        }
        guard failed == 0 else { throw BenchFailure("send path failed \(failed) packets") }
        return figures
    }
}

/// The steady-state send path of one audio stream, as `PeerConnection.sendAudio` runs it.
struct SendPath {
    let session: SRTPSession
    var packetizer = MediaFixtures.packetizer()
    /// The reused datagram buffer handed to the socket.
    private(set) var buffer: [UInt8] = []

    init(session: SRTPSession) {
        self.session = session
        buffer.reserveCapacity(1500)
    }

    /// Packetizes and protects one Opus frame into `buffer`; false if protecting failed.
    @inline(never)
    mutating func send(_ opusFrame: ArraySlice<UInt8>, protecting: Bool = true) -> Bool {
        buffer.removeAll(keepingCapacity: true)
        packetizer.packetize(opusFrame, audioLevel: MediaFixtures.audioLevel, into: &buffer)
        guard protecting else { return true }
        do { try session.protectRTP(&buffer) } catch { return false }
        return true
    }
}
