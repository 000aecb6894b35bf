import RTC
import TestSupport
import Testing

@Suite("JitterBuffer")
struct JitterBufferTests {
    let t0 = ContinuousClock.now

    static func payload(_ sequence: UInt16) -> [UInt8] {
        [UInt8(truncatingIfNeeded: sequence >> 8), UInt8(truncatingIfNeeded: sequence), 0xF0]
    }

    struct Arrival {
        var at: Duration
        var sequence: UInt16
    }

    /// Plays the arrivals against a 20 ms playout clock and returns every output.
    func play(_ buffer: inout JitterBuffer, arrivals: [Arrival], ssrc: UInt32 = 1, firstSequence: UInt16, ticks: Int)
        -> [JitterBuffer.Output]
    {
        let sorted = arrivals.sorted { $0.at < $1.at }
        var next = 0
        var outputs: [JitterBuffer.Output] = []
        for tick in 0..<ticks {
            let now = t0 + .milliseconds(20 * tick)
            while next < sorted.count && t0 + sorted[next].at <= now {
                let sequence = sorted[next].sequence
                let offset = UInt32(sequence &- firstSequence) * 960
                buffer.insert(
                    ssrc: ssrc, sequenceNumber: sequence, timestamp: 7_000_000 &+ offset,
                    payload: Self.payload(sequence)[...], now: t0 + sorted[next].at)
                next += 1
            }
            if let output = buffer.pop(now: now) { outputs.append(output) }
        }
        return outputs
    }

    @Test func inOrderStreamPlaysAfterTheMinimumDelay() {
        var buffer = JitterBuffer()
        let arrivals = (0..<10).map { Arrival(at: .milliseconds(20 * $0 + 5), sequence: UInt16(100 + $0)) }
        var outputs: [(Int, JitterBuffer.Output)] = []
        var index = 0
        for tick in 0..<20 {
            let now = t0 + .milliseconds(20 * tick)
            while index < arrivals.count && t0 + arrivals[index].at <= now {
                buffer.insert(
                    ssrc: 1, sequenceNumber: arrivals[index].sequence, timestamp: UInt32(index * 960),
                    payload: Self.payload(arrivals[index].sequence)[...], now: t0 + arrivals[index].at)
                index += 1
            }
            if let output = buffer.pop(now: now) { outputs.append((tick, output)) }
        }
        // First packet at 5 ms + 40 ms delay = 45 ms: the 60 ms tick plays it.
        #expect(outputs.first?.0 == 3)
        var expected: [JitterBuffer.Output] = []
        for index in 0..<10 {
            let sequence = UInt16(100 + index)
            expected.append(
                .frame(payload: Self.payload(sequence)[...], sequenceNumber: sequence, timestamp: UInt32(index * 960)))
        }
        #expect(outputs.map(\.1) == expected)
        #expect(buffer.counters.received == 10 && buffer.counters.lost == 0)
        #expect(buffer.targetDelay == .milliseconds(40))
    }

    /// Reorder (random network delay 10–40 ms), 10 % loss, duplicates and a few very late packets.
    @Test(arguments: [UInt64(1), 2, 3])
    func reorderLossDuplicatesAndLatePackets(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        let firstSequence: UInt16 = 65_500  // crosses the wrap
        let count = 300
        var arrivals: [Arrival] = []
        var lost = Set<UInt16>()
        var late = Set<UInt16>()
        var duplicates = 0
        for index in 0..<count {
            let sequence = firstSequence &+ UInt16(index)
            let sent = Duration.milliseconds(20 * index)
            let roll = Int.random(in: 0..<100, using: &generator)
            if index > 2 && index < count - 2 && roll < 10 {
                lost.insert(sequence)
                continue
            }
            if index > 2 && index < count - 2 && roll < 13 {
                late.insert(sequence)
                arrivals.append(Arrival(at: sent + .milliseconds(250), sequence: sequence))
                continue
            }
            let delay = Duration.milliseconds(Int.random(in: 10...40, using: &generator))
            arrivals.append(Arrival(at: sent + delay, sequence: sequence))
            if roll >= 95 {
                duplicates += 1
                arrivals.append(Arrival(at: sent + delay + .milliseconds(1), sequence: sequence))
            }
        }
        var buffer = JitterBuffer()
        let outputs = play(&buffer, arrivals: arrivals, firstSequence: firstSequence, ticks: count + 20)

        // Every sequence number exactly once, in order.
        #expect(outputs.count == count)
        var frames = Set<UInt16>()
        var missing = Set<UInt16>()
        for (index, output) in outputs.enumerated() {
            let expected = firstSequence &+ UInt16(index)
            switch output {
            case .frame(let payload, let sequence, let timestamp):
                #expect(sequence == expected)
                #expect(Array(payload) == Self.payload(sequence))
                #expect(timestamp == 7_000_000 &+ UInt32(index) * 960)
                frames.insert(sequence)
            case .missing(let sequence, let fecSource):
                #expect(sequence == expected)
                missing.insert(sequence)
                let following = sequence &+ 1
                if let fecSource {
                    #expect(Array(fecSource) == Self.payload(following))
                }
            }
        }
        #expect(duplicates > 0 && !late.isEmpty && lost.count > 10)
        #expect(outputs.contains { if case .missing(_, .some) = $0 { true } else { false } })
        #expect(missing == lost.union(late))
        #expect(frames.count == count - lost.count - late.count)
        #expect(buffer.counters.lost == lost.count + late.count)
        #expect(buffer.counters.late == late.count)
        #expect(buffer.counters.duplicate == duplicates)
        #expect(buffer.counters.received == count - lost.count - late.count)
        #expect(buffer.counters.resets == 0)
        #expect(buffer.counters.concealed < buffer.counters.lost)
        #expect(buffer.targetDelay >= .milliseconds(40) && buffer.targetDelay <= .milliseconds(80))
    }

    @Test func missingPacketHandsOverTheNextPayloadForFEC() {
        var buffer = JitterBuffer()
        let arrivals = [0, 1, 3, 4].map { Arrival(at: .milliseconds(20 * $0), sequence: UInt16(10 + $0)) }
        let outputs = play(&buffer, arrivals: arrivals, firstSequence: 10, ticks: 12)
        #expect(outputs.count == 5)
        #expect(outputs[2] == .missing(sequenceNumber: 12, fecSource: Self.payload(13)[...]))
        #expect(buffer.counters.concealed == 0 && buffer.counters.lost == 1)
    }

    @Test func delayAdaptsToJitterWithinBounds() {
        var steady = JitterBuffer()
        var jittery = JitterBuffer()
        for index in 0..<200 {
            let sequence = UInt16(index)
            let timestamp = UInt32(index * 960)
            steady.insert(ssrc: 1, sequenceNumber: sequence, timestamp: timestamp, payload: [1],
                          now: t0 + .milliseconds(20 * index))
            let wobble = index % 2 == 0 ? 0 : 60
            jittery.insert(ssrc: 1, sequenceNumber: sequence, timestamp: timestamp, payload: [1],
                           now: t0 + .milliseconds(20 * index + wobble))
            _ = steady.pop(now: t0 + .milliseconds(20 * index))
            _ = jittery.pop(now: t0 + .milliseconds(20 * index))
        }
        #expect(steady.targetDelay == .milliseconds(40))
        #expect(jittery.targetDelay == .milliseconds(80))
        #expect(jittery.measuredJitter > .milliseconds(30))
    }

    @Test func resetsOnSSRCChangeAndBigJumpsAndStaysBounded() {
        var buffer = JitterBuffer(configuration: .init(capacity: 16))
        for index in 0..<8 {
            buffer.insert(ssrc: 1, sequenceNumber: UInt16(index), timestamp: 0, payload: [1], now: t0)
        }
        #expect(buffer.bufferedCount == 8)
        #expect(buffer.insert(ssrc: 1, sequenceNumber: 500, timestamp: 0, payload: [2], now: t0) == .reset)
        #expect(buffer.bufferedCount == 1)
        #expect(buffer.insert(ssrc: 2, sequenceNumber: 501, timestamp: 0, payload: [3], now: t0) == .reset)
        #expect(buffer.counters.resets == 2)
        // Way behind the playout point: late once, then a continuing packet confirms a sender restart.
        #expect(buffer.pop(now: t0 + .seconds(1)) == .frame(payload: [3], sequenceNumber: 501, timestamp: 0))
        #expect(buffer.insert(ssrc: 2, sequenceNumber: 100, timestamp: 0, payload: [4], now: t0 + .seconds(1)) == .late)
        #expect(buffer.insert(ssrc: 2, sequenceNumber: 101, timestamp: 0, payload: [5], now: t0 + .seconds(1)) == .reset)
        // A duplicate of something already played is a duplicate, not late.
        #expect(buffer.pop(now: t0 + .seconds(2)) == .frame(payload: [5], sequenceNumber: 101, timestamp: 0))
        #expect(buffer.insert(ssrc: 2, sequenceNumber: 101, timestamp: 0, payload: [5], now: t0 + .seconds(2)) == .duplicate)
        #expect(buffer.counters.late == 1 && buffer.counters.duplicate == 1)
    }

    @Test func reorderedPacketBeforePlayoutStartsTheStreamEarlier() {
        var buffer = JitterBuffer()
        buffer.insert(ssrc: 1, sequenceNumber: 6, timestamp: 960, payload: [6], now: t0)
        buffer.insert(ssrc: 1, sequenceNumber: 5, timestamp: 0, payload: [5], now: t0 + .milliseconds(5))
        #expect(buffer.pop(now: t0 + .milliseconds(60)) == .frame(payload: [5], sequenceNumber: 5, timestamp: 0))
        #expect(buffer.pop(now: t0 + .milliseconds(80)) == .frame(payload: [6], sequenceNumber: 6, timestamp: 960))
        #expect(buffer.pop(now: t0 + .milliseconds(100)) == nil)
    }
}

@Suite("JitterBuffer clock drift")
struct JitterBufferDriftTests {
    let t0 = ContinuousClock.now

    /// Sends `count` 20 ms frames with the sender's frame spacing `spacing` (our clock), pops every 20 ms.
    func simulate(spacing: Duration, count: Int, jitter: ClosedRange<Int> = 10_000...15_000)
        -> (buffer: JitterBuffer, outputs: [JitterBuffer.Output], maximumBuffered: Int, underruns: Int)
    {
        var generator = SplitMix64(seed: 99)
        var buffer = JitterBuffer()
        var outputs: [JitterBuffer.Output] = []
        var sent = 0
        var maximumBuffered = 0
        var underruns = 0
        var pendingArrival: (ContinuousClock.Instant, Int)?
        for tick in 0..<(count + count / 50 + 50) {
            let now = t0 + .milliseconds(20 * tick)
            while sent < count {
                let arrival = pendingArrival
                    ?? (t0 + spacing * sent + .microseconds(Int.random(in: jitter, using: &generator)), sent)
                guard arrival.0 <= now else {
                    pendingArrival = arrival
                    break
                }
                pendingArrival = nil
                buffer.insert(
                    ssrc: 1, sequenceNumber: UInt16(truncatingIfNeeded: arrival.1), timestamp: UInt32(arrival.1 * 960),
                    payload: [1], now: arrival.0)
                sent += 1
            }
            maximumBuffered = max(maximumBuffered, buffer.bufferedCount)
            if let output = buffer.pop(now: now) {
                outputs.append(output)
            } else if !outputs.isEmpty && outputs.count < count {
                underruns += 1  // a tick with nothing to play in the middle of the stream
            }
        }
        return (buffer, outputs, maximumBuffered, underruns)
    }

    @Test func slowSenderClockNeverTurnsPacketsLate() {
        // 0.1 % slow: 60 ms over the run, with 25 ms of network jitter on top.
        let result = simulate(spacing: .microseconds(20_020), count: 3000, jitter: 10_000...35_000)
        #expect(result.buffer.counters.late == 0)
        #expect(result.buffer.counters.lost == 0)
        #expect(result.outputs.count == 3000)
        #expect(result.underruns <= 6)  // 3 frames of drift, each absorbed by one empty tick
    }

    @Test func fastSenderClockIsCaughtUpByDroppingFrames() {
        let result = simulate(spacing: .microseconds(19_900), count: 3000)  // 0.5 % fast: 300 ms over the run
        #expect(result.buffer.counters.discarded > 0)
        #expect(result.buffer.counters.late == 0 && result.buffer.counters.resets == 0)
        #expect(result.maximumBuffered <= 12)
        #expect(result.outputs.count + result.buffer.counters.discarded + result.buffer.bufferedCount == 3000)
    }
}
